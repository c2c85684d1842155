import threading

from wizard.gui.tasks import CancelToken, TaskCancelled, TaskRunner


def test_result_and_progress_arrive_on_gui_thread(qtbot):
    runner = TaskRunner()
    seen = {}

    def work(task):
        seen["worker"] = threading.current_thread()
        task.progress(1)
        task.progress(2)
        return "done"

    progress = []
    results = []

    def on_result(value):
        seen["callback"] = threading.current_thread()
        results.append(value)

    runner.run_task(work, on_result=on_result, on_progress=progress.append)
    qtbot.wait_until(lambda: results == ["done"], timeout=5000)
    assert progress == [1, 2]
    assert seen["worker"] is not threading.main_thread()
    assert seen["callback"] is threading.main_thread()
    assert runner.wait_for_done(5000)
    qtbot.wait_until(lambda: not runner.busy)


def test_errors_and_cooperative_cancel(qtbot):
    runner = TaskRunner()
    errors = []
    runner.run_task(lambda task: 1 / 0, on_error=errors.append)
    qtbot.wait_until(lambda: len(errors) == 1, timeout=5000)
    assert isinstance(errors[0], ZeroDivisionError)

    token = CancelToken()
    started = threading.Event()

    def slow(task):
        started.set()
        while not task.cancel_token.wait(0.01):
            pass
        task.check()

    runner.run_task(slow, on_error=errors.append, cancel_token=token)
    assert started.wait(5)
    token.cancel()
    qtbot.wait_until(lambda: len(errors) == 2, timeout=5000)
    assert isinstance(errors[1], TaskCancelled)
    assert runner.wait_for_done(5000)


def test_unhandled_task_error_reaches_the_message_bridge(qtbot, caplog):
    from wizard.engine.errors import WizardError
    from wizard.gui import message

    runner = TaskRunner()
    with qtbot.wait_signal(message.bridge().error_shown, timeout=5000) as blocker:
        runner.run_task(lambda task: (_ for _ in ()).throw(
            WizardError("The server did not answer.", fix="Try again.", details="HTTP 503")))
    assert blocker.args == ["The server did not answer. Try again.", "HTTP 503"]
    assert runner.wait_for_done(5000)
