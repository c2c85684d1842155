"""A local HTTPS stand-in for Dynamics 365: identity, Global Discovery, Dataverse Web API."""
