import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives JupyterLab in a real (headless) browser")


@pytest.fixture(scope="session", autouse=True)
def one_torch_thread():
    """Tests run on one torch thread, like the notebooks (``seed_everything``): tiny models train
    faster without hand-offs between cores, and results do not depend on the core count."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """With ``--dist loadgroup`` (make test): each test file stays on one worker, so its module fixtures are
    built once, except the bad-input table's thousands of independent cases, which spread over both."""
    for item in items:
        if item.path.name == "test_bad_inputs.py":
            continue
        group = item.path.stem
        if item.path.name == "test_classroom.py" and "lesson" in item.name:  # every lesson's student edition
            group += "-lessons"  # (its own nbgrader run) goes beside the demo lesson's autograding
        item.add_marker(pytest.mark.xdist_group(group))
