"""The organization registry's errors (:mod:`wizard.engine.orgs`).

Each base keeps its stable ``code``; the subclasses say which rule was broken and carry
the fields their text needs. ``orgs`` in a not-found error is the numbered list of the
orgs that exist ("1. Contoso Sales (contososales); 2. Fabrikam"), so a user can pick one.
"""

from __future__ import annotations

from typing import Any, ClassVar

from wizard.engine.errors import Action, CorruptConfig, NotFound, WizardError


class OrgNotFound(NotFound):
    """No org matches what the user typed; the message lists the orgs that exist."""

    code = "org_not_found"
    template = "No organization matches “{ref}”. Known organizations: {orgs}."
    fix_template: ClassVar[str | None] = "Use a name, unique name, organization ID or number from the list."


class NoOrgsAdded(OrgNotFound):
    template = "No organizations have been added yet."
    fix_template = None


class NotAnOrgRef(OrgNotFound):
    template = "“{ref}” does not name an organization. Known organizations: {orgs}."
    fix_template = None


class NoOrgNamed(OrgNotFound):
    template = "No organization was named. Known organizations: {orgs}."
    fix_template = None


class NoOrgNumber(OrgNotFound):
    template = "There is no organization number {number}. Known organizations: {orgs}."
    fix_template = "Use a number from the list."
    action = Action.LIST_ORGS


class AmbiguousOrg(NotFound):
    """What the user typed matches more than one org (so no single org was found);
    ``matches`` lists them."""

    code = "ambiguous_org"
    template = "“{ref}” matches more than one organization: {matches}."
    fix_template = "Use the number or the unique name instead."


# -- display names -------------------------------------------------------------------------

class InvalidDisplayName(WizardError, ValueError):
    code = "invalid_name"


class DisplayNameNotText(InvalidDisplayName):
    template = "The organization name must be text."


class DisplayNameEmpty(InvalidDisplayName):
    template = "The organization name cannot be empty."
    fix_template = "Type a name, for example “Contoso Sales”."


class DisplayNameTooLong(InvalidDisplayName):
    template = "The organization name is {length} characters long; the limit is {limit}."
    fix_template = "Choose a shorter name."


class DisplayNameHasControl(InvalidDisplayName):
    template = ("The organization name contains a tab, line break or other invisible control "
                "character.")
    fix_template = "Type the name again on one line."


class DisplayNameOnlyDigits(InvalidDisplayName):
    template = ("The organization name cannot be only digits (“{name}”): numbers select "
                "organizations by their position in the list.")
    fix_template = "Add a word, for example “Org {name}”."


class DisplayNameTaken(InvalidDisplayName):
    template = "Another organization is already called “{name}”."
    fix_template = "Choose a different name; names must differ in more than upper/lower case."


# -- profile fields ------------------------------------------------------------------------

class InvalidProfile(WizardError, ValueError):
    """A profile field has a value the registry does not accept (or looks like a secret)."""

    code = "invalid_profile"


class ProfileWithoutAddress(InvalidProfile):
    template = "An organization needs its address (base URL)."


class ProfileBadAddress(InvalidProfile):
    template = "“{url}” is not an organization address."
    fix_template = "Use an address such as https://contoso.crm.dynamics.com."


class ProfileAddressHasCredentials(InvalidProfile):
    """The address is never repeated (it may hold a password)."""

    template = "An organization address must not contain a user name or password."


class ProfileBadOrgId(InvalidProfile):
    template = "“{org_id}” is not an organization ID."
    fix_template = ("An organization ID looks like 6f3c2a51-0b1e-4c2d-9a7b-1c2d3e4f5a6b "
                    "(Settings > Customizations > Developer Resources).")


class UnknownKind(InvalidProfile):
    template = "Unknown organization kind “{value}” (expected one of {choices})."


class UnknownAuthMethod(InvalidProfile):
    template = "Unknown sign-in method “{value}” (expected one of {choices})."


class UnknownSyncMethod(InvalidProfile):
    template = "Unknown synchronization method “{value}”."


class UnknownSyncVia(InvalidProfile):
    template = "Unknown way of synchronizing “{value}” (expected one of {choices})."


class ExtraNotMapping(InvalidProfile):
    template = "The profile's extra settings must be a mapping."


class SecretInProfile(InvalidProfile):
    """``key`` is the name of the refused setting (never its value)."""

    template = ("Refusing to store “{key}” in the organization list: secrets belong in the OS "
                "keyring (wizard.engine.secrets), never in settings files.")


class TokenInProfile(InvalidProfile):
    """``field`` names the field whose value looks like a token (the value is not kept)."""

    template = ("Refusing to store a value of “{field}” that looks like an access token: "
                "secrets belong in the OS keyring.")


class FieldsNotUpdatable(InvalidProfile):
    template = ("{fields} cannot be changed with update(); the synchronizing org changes through "
                "plan_switch() and apply().")


class UnknownFields(InvalidProfile):
    count_param = "count"
    template = "Unknown organization fields: {fields}."
    one_template = "Unknown organization field: {fields}."


class ChangeBreaksRegistry(InvalidProfile):
    """``reason`` is the schema check's own description of what would be wrong."""

    template = "The change was not made: {reason}."
    fix_template = "Nothing was changed."


# -- the registry ------------------------------------------------------------------------

class RegistryMovedAside(CorruptConfig):
    """The organization list could not be read; it was moved to ``moved_to`` (``at``: when
    that was found)."""

    template = ("The organization list was damaged and could not be read (found {at}{why}). It "
                "was moved to {moved_to} and a new, empty list is in use.")
    fix_template = ("Add your organizations again; if you need the old list, send that file to "
                    "your helpdesk.")

    def __init__(self, *, moved_to: str, at: str, reason: str | None = None, **kw: Any) -> None:
        super().__init__(moved_to=moved_to, at=at, why=f": {reason}" if reason else "",
                         reason=reason, details=reason, **kw)


class DuplicateOrg(WizardError):
    """A change would make two entries describe the same org (``org`` is the other one)."""

    code = "duplicate_org"
    template = "{org} already has that organization ID or address."
    fix_template = "Remove one of the two entries first."


class StalePlan(WizardError):
    """The registry or the mailbox stamp changed after the plan was shown."""

    code = "stale_plan"
    template = "The organizations or your mailbox changed after this plan was shown, so it was not carried out."
    fix_template = "Nothing was changed. Review the new plan and confirm again."


class OrgRemovedSincePlan(StalePlan):
    template = "{org} was removed after the plan was made."
    fix_template = "Nothing was changed. Choose the organization again."


class SwitchNotPossible(WizardError):
    code = "switch_not_possible"


class OrgIdUnknown(SwitchNotPossible):
    template = ("{org} cannot synchronize yet: its organization ID is not known because it was "
                "added without connecting.")
    fix_template = "Connect to it once (test the connection or sign in), then try again."
