# HOSTILE (threat 7): make the grader itself fail, so that nothing gets stored.
# Solution cell `threaded_count`. The kernel is the student's: it can send the grader
# any message. This one opens a widget with a state the grader's client cannot handle,
# updates a display with 20 MB, and sends a display message with no data at all.
# Grading ignores widgets, caps display updates, and charges a message it cannot
# handle to this notebook: the kernel is stopped, the tests that ran before keep their
# points, the threaded_count tests score zero, the summary says why; the grading run
# itself does not fail.
from comm import create_comm
from IPython import get_ipython
from IPython.display import display, update_display

print("HOSTILE grader: sending a broken widget, a 20 MB display update, a display without data")
create_comm(target_name="jupyter.widget", data={"state": {"_model_name": "?"}, "buffer_paths": []})
display({"text/plain": "small"}, raw=True, display_id="swelling")
update_display({"text/plain": "U" * 20_000_000}, raw=True, display_id="swelling")
_pub = get_ipython().display_pub
_pub.session.send(_pub.pub_socket, "display_data", {"metadata": {}}, parent=_pub.parent_header,
                  ident=_pub.topic)


def threaded_count(count_to, n_threads):
    """Count to count_to with n_threads threads, each counting its own share."""
    import threading

    counts = [0] * n_threads

    def work(i):
        for _ in range(count_to // n_threads + (i < count_to % n_threads)):
            counts[i] += 1

    threads = [threading.Thread(target=work, args=(i,)) for i in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts)
