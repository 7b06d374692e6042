"""evaluate_batch: any executor, per-item error capture, results in input order."""

import threading
from concurrent.futures import ThreadPoolExecutor

from critlocus.core.batch import BatchResult, evaluate_batch


def square_or_raise(item):
    """Module level, so a spawned worker process can unpickle it by reference."""
    if item == 3:
        raise ValueError(f"bad item {item}")
    return item * item


def check_results(results, items):
    assert [r.index for r in results] == list(range(len(items)))
    for r, item in zip(results, items):
        assert isinstance(r, BatchResult)
        if item == 3:
            assert not r.ok and r.value is None
            assert r.error == "ValueError: bad item 3"
            assert "ValueError: bad item 3" in r.traceback
            assert "square_or_raise" in r.traceback
        else:
            assert r.ok and r.error is None and r.traceback is None
            assert r.value == item * item


def test_thread_pool_in_input_order_with_a_failing_item():
    items = [0, 1, 2, 3, 4]
    reported = {i: threading.Event() for i in items}
    seen = []

    def on_result(r):
        seen.append(r.index)
        reported[r.index].set()

    def reverse_order(item):  # item i finishes only once item i + 1 was reported: order 4, 3, …, 0
        if item + 1 in reported:
            assert reported[item + 1].wait(timeout=10)
        return square_or_raise(item)

    with ThreadPoolExecutor(max_workers=len(items)) as ex:
        results = evaluate_batch(reverse_order, items, executor=ex, on_result=on_result)
        assert ex.submit(square_or_raise, 5).result() == 25  # a caller's executor stays usable
    check_results(results, items)
    assert seen == [4, 3, 2, 1, 0]  # one callback per item, as each arrived; results in input order


def test_empty_batch():
    with ThreadPoolExecutor(max_workers=1) as ex:
        assert evaluate_batch(square_or_raise, [], executor=ex) == []


def test_default_process_pool():
    items = [3, 1, 2, 4]
    results = evaluate_batch(square_or_raise, iter(items), max_workers=2)
    check_results(results, items)


def test_process_pool_reports_an_unpicklable_result():
    results = evaluate_batch(make_local_function, [1, 2], max_workers=2)
    assert [r.index for r in results] == [0, 1]
    assert not any(r.ok for r in results)
    assert all(r.error and "pickle" in r.error.lower() for r in results)


def make_local_function(item):
    return lambda: item  # a lambda cannot be pickled back to the parent process
