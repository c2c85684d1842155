"""Why a deployment file cannot be used (:mod:`wizard.engine.deploy`); nothing was applied.

``source`` names the file; an org entry's errors add ``index`` (its 1-based position in
the file's ``orgs`` list). ``label`` is an entry's label (“Contoso” (entry 2)).
"""

from __future__ import annotations

from wizard.engine.clouds import CloudFileSecret
from wizard.engine.errors import WizardError


class DeploymentError(WizardError):
    """The deployment file cannot be used; nothing was changed."""

    code = "deployment_invalid"
    #: A wrapped file or cloud-file problem keeps its code, but "not JSON" is this one's.
    generic_cause_codes = frozenset({"error", "config_error", "invalid_json"})


class DeploymentContainsSecret(DeploymentError):
    code = "deployment_contains_secret"


# -- the file --------------------------------------------------------------------------------

class DeploymentFileUnusable(DeploymentError):
    """The file could not be read (``cause``: a :class:`~wizard.engine.fileio.FileProblem`,
    whose code is reported unless it is ``invalid_json``)."""

    keeps_cause_code = True
    template = "{cause}"


class NotAnObject(DeploymentError):
    template = "{source} must hold a JSON object with \"schema_version\" and \"orgs\"."


class NoSchemaVersion(DeploymentError):
    template = "{source} has no \"schema_version\" (use 1)."


class NewerFormat(DeploymentError):
    template = ("{source} uses deployment format {version}; this version of d365-wizard reads "
                "format {supported}.")
    fix_template = "Update d365-wizard on this machine."


class WrongKind(DeploymentError):
    template = "{source} is a “{kind}” file, not a deployment file."


class UnknownSettings(DeploymentError):
    count_param = "count"
    template = "{source} has unknown settings {keys}."
    one_template = "{source} has an unknown setting {keys}."
    fix_template = "Allowed at the top level: {allowed}."


class ReplaceNotBool(DeploymentError):
    template = "{source}: \"replace\" must be true or false."


class BadKeepConnectedMinutes(DeploymentError):
    template = ("{source}: \"keep_connected_minutes\" must be a whole number of minutes from {low} "
                "to {high}, not {value}.")


class NoOrgsList(DeploymentError):
    template = "{source} needs an \"orgs\" list (it may be empty)."


class SeveralPrimaries(DeploymentError):
    template = ("{source} marks {count} orgs as primary ({labels}); only one org synchronizes "
                "with the mailbox.")
    fix_template = "Set \"primary\": true on one org only."


class SameOrgTwice(DeploymentError):
    template = "{source} lists the same org twice: {first} and {second}."
    fix_template = "Remove one of them."


class SecretKey(DeploymentContainsSecret):
    """``path`` is where the key is (``orgs[0].password``); its value is never kept."""

    template = ("{source} contains “{path}”, which looks like a password or token. Deployment "
                "files never carry secrets; nothing was applied.")
    fix_template = ("Remove it: users sign in on first use, and saved credentials live only in "
                    "each user's OS keyring.")


class SecretValue(DeploymentContainsSecret):
    template = ("{source} contains a value at “{path}” that looks like a token or a password in "
                "an address. Deployment files never carry secrets; nothing was applied.")
    fix_template = "Remove it: users sign in on first use."


# -- one org entry -------------------------------------------------------------------------

class EntryNotObject(DeploymentError):
    template = ("{source}, org {index} must be an object such as "
                "{{\"url\": \"https://contoso.crm.dynamics.com\"}}.")


class EntryUnknownKeys(DeploymentError):
    count_param = "count"
    template = "{source}, org {index} has unknown keys {keys}."
    one_template = "{source}, org {index} has an unknown key {keys}."
    fix_template = "Allowed: {allowed}."


class EntryNotText(DeploymentError):
    template = "{source}, org {index}: \"{key}\" must be non-empty text."


class EntryNotBool(DeploymentError):
    template = "{source}, org {index}: \"{key}\" must be true or false."


class EntryBadOrgId(DeploymentError):
    template = "{source}, org {index}: \"org_id\" “{org_id}” is not an organization ID."
    fix_template = ("An organization ID looks like 6f3c2a51-0b1e-4c2d-9a7b-1c2d3e4f5a6b; nothing "
                    "was applied.")


class EntryControlCharacter(DeploymentError):
    template = "{source}, org {index}: \"{key}\" contains a control character (a line break or tab)."
    fix_template = "Nothing was applied."


class EntryCloudFileSecret(DeploymentContainsSecret):
    """The entry's cloud file holds a secret (the params of ``CloudFileSecret``)."""

    template = "{source}, org {index}: " + (CloudFileSecret.template or "") + " Nothing was applied."
    fix_template = CloudFileSecret.fix_template


class EntryCloudFileUnusable(DeploymentError):
    """``cause`` is why the cloud file could not be used; its code is reported."""

    keeps_cause_code = True
    template = "{source}, org {index}: the cloud file could not be used: {cause}"


class CloudMismatch(DeploymentError):
    template = "{source}, org {index}: \"cloud\" is “{cloud}” but the cloud file defines “{defined}”."


class UnknownCloud(DeploymentError):
    template = "{source}, org {index}: unknown cloud “{cloud}”."
    fix_template = "Use one of {choices}, or give a \"cloud_file\"."


class EntryBadUrl(DeploymentError):
    """``cause`` is the :class:`~wizard.engine.errors.InvalidOrgUrl` saying why."""

    template = "{source}, org {index}: {cause}"


class UrlInOtherCloud(DeploymentError):
    template = "{source}, org {index}: {url} is in the “{url_cloud}” cloud, not “{cloud}”."


class EntryWithoutUrl(DeploymentError):
    template = ("{source}, org {index} needs a \"url\", or a \"unique_name\" and a \"cloud\" to "
                "find the org by discovery after sign-in.")


# -- applying ----------------------------------------------------------------------------

class NotApplied(DeploymentError):
    """The registry refused the new list; ``cause`` says why."""

    template = "{source} was not applied: {cause}"
    fix_template = "Correct the file; nothing was changed."


class TwoEntriesOneOrg(DeploymentError):
    template = ("{source}: {first} and {second} both describe the organization “{org}” already in "
                "the list.")
    fix_template = "Remove one of the two entries; nothing was changed."
