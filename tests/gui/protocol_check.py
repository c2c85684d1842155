"""Read by mypy only (``tests/gui/test_services_protocol.py`` runs it): both implementations
of the GUI's seam are :class:`wizard.gui.views.Services`. A missing member or a signature
that does not fit is a type error here."""

from __future__ import annotations

from tests.gui.fake_services import FakeServices
from wizard.gui.services import EngineServices
from wizard.gui.views import Services


def engine_services(services: EngineServices) -> Services:
    return services


def fake_services(services: FakeServices) -> Services:
    return services
