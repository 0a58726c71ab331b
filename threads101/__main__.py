import sys

from threads101.cli import main

sys.exit(main())
