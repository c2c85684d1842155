"""Only here to put ``resources/`` (icons, translations) into the wheel as
``wizard/resources`` (see ``wizard.gui.i18n.resources_dir``); everything else is in
pyproject.toml."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildPyWithResources(build_py):
    def run(self):
        super().run()
        source = Path(__file__).resolve().parent / "resources"
        if source.is_dir():
            shutil.copytree(source, Path(self.build_lib) / "wizard" / "resources",
                            dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns("*.sh", "*.ts", "linux", "__pycache__"))


setup(cmdclass={"build_py": BuildPyWithResources})
