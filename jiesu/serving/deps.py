"""FastAPI dependencies: settings, the runtime built in lifespan, and the calling key (X-API-Key)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader

from jiesu.serving.runtime import Runtime
from jiesu.serving.settings import ServingSettings
from jiesu.workflow.actors import Principal
from jiesu.workflow.errors import Forbidden, Messages, message
from jiesu.workflow.states import Role

# The dependencies are `async def`: FastAPI runs sync ones in the threadpool, a thread hop per
# dependency per request, which costs more than what they do.


async def get_settings(request: Request) -> ServingSettings:
    settings: ServingSettings = request.app.state.settings
    return settings


async def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="an API key (`jiesu keys create`)")


async def get_principal(
    request: Request,
    runtime: Annotated[Runtime, Depends(get_runtime)],
    api_key: Annotated[str | None, Security(_api_key)],
) -> Principal:
    principal = await runtime.keys.authenticate_async(api_key)
    request.state.role = principal.role.value  # for the request log line
    return principal


def require(*roles: Role) -> Callable[[Principal], Awaitable[Principal]]:
    allowed = frozenset(roles)

    async def check(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
        if principal.role not in allowed:
            raise Forbidden(message(Messages.role), {"allowed_roles": sorted(allowed)})
        return principal

    return check


SettingsDep = Annotated[ServingSettings, Depends(get_settings)]
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
PrincipalDep = Annotated[Principal, Depends(get_principal)]
AdminDep = Annotated[Principal, Depends(require(Role.ADMIN))]
IntakeDep = Annotated[Principal, Depends(require(Role.OPERATOR, Role.ADMIN))]
# Figures across all units: for the hotline's own staff, not for a unit.
AuditDep = Annotated[Principal, Depends(require(Role.AUDITOR, Role.REVIEWER, Role.OPERATOR, Role.ADMIN))]
# The mis-dispatch audit: auditors and admins only.
AuditorDep = Annotated[Principal, Depends(require(Role.AUDITOR, Role.ADMIN))]
