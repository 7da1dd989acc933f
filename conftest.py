"""pytest runs every notebook in nbs/ as one test (as nbdev_test does), plus the tests in tests/.

Cells flagged with a `tst_flags` flag from settings.ini (e.g. `#| slow`) and `#| eval: false`
cells are skipped, exactly as nbdev_test skips them.
"""
import os
import sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "tools"))
from notebook_rules import skip_cell, skip_flags  # the rule the docs build uses too

# The model hub is unreachable on test machines: without this, a hub look-up retries for up to two minutes.
os.environ["HF_HUB_OFFLINE"] = "1"

# Everything the tests read is in the repository. A read from a folder beside it (where a development machine may keep
# files a fresh clone does not have) fails that read and the run; `.ci/run` also runs the suite in a copy of the
# committed tree with nothing beside it, which catches the same in subprocesses.
OUTSIDE_READS = []


def _refuse_reads_beside_the_repository(event, args):
    if event != "open" or not isinstance(args[0], (str, Path)): return
    path = os.path.abspath(args[0])
    if path.startswith(str(ROOT.parent) + os.sep) and not path.startswith(str(ROOT) + os.sep):
        OUTSIDE_READS.append(path)
        raise PermissionError(f"the tests read {path}, outside the repository {ROOT}")


sys.addaudithook(_refuse_reads_beside_the_repository)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    "A test that read beside the repository fails, even where its code caught the refused read."
    if call.when == "setup": item.outside_reads_before = len(OUTSIDE_READS)
    report = (yield).get_result()
    if call.when == "call" and len(OUTSIDE_READS) > getattr(item, "outside_reads_before", 0):
        report.outcome = "failed"
        report.longrepr = f"read outside the repository: {sorted(set(OUTSIDE_READS[item.outside_reads_before:]))}"


def pytest_collect_file(parent, file_path):
    if file_path.suffix == ".ipynb" and file_path.parent.name == "nbs" and not file_path.name.startswith("_"):
        return NotebookFile.from_parent(parent, path=file_path)


class NotebookFile(pytest.File):
    def collect(self):
        yield NotebookItem.from_parent(self, name=self.path.stem)


class NotebookError(Exception):
    pass


class NotebookItem(pytest.Item):
    def runtest(self):
        from execnb.shell import CaptureShell
        from nbdev.process import NBProcessor
        from nbdev.frontmatter import FrontmatterProc
        from fastcore.xtras import working_directory

        os.environ["IN_TEST"] = "1"
        flags = skip_flags()
        nb = NBProcessor(self.path, procs=FrontmatterProc, process=True).nb

        def skip(cell):  # same rule as nbdev.test.test_nb; nbdev's processing has moved the directives out of the source
            found = {k.rstrip(":"): (v[0] if v else "") for k, v in (getattr(cell, "directives_", None) or {}).items()}
            return cell.cell_type != "code" or skip_cell(cell.source, flags, found)

        shell = CaptureShell(self.path)
        try:
            with working_directory(self.path.parent):
                shell.run_all(nb, exc_stop=True, preproc=skip)
        except Exception as e:
            raise NotebookError(shell.prettytb(fname=self.path)) from e

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, NotebookError): return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, 0, f"notebook {self.path.name}"
