"""Resource accessors: ``client.tags.list()``, ``client.agents.status(id, status=...)``; and
own-route accessors: ``client.customer.get()``, ``client.customer.webhook_secret_rotate()``.

One accessor class serves every resource (and one its async twin), one every own route; the
calls come from the declaration (:class:`~voipbin.client.calls.ResourceCalls`,
:class:`~voipbin.client.calls.OwnCalls`) and each method only runs them. Actions are the
declared ones, found by name.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any, Generic, Protocol, TypeVar

from voipbin.client.calls import Body, FilterValue, Id, OwnCalls, ResourceCalls
from voipbin.client.exchange import Exchange
from voipbin.client.paging import Pager
from voipbin.common.pagination import Page
from voipbin.models.base import Action, M, ResourceSpec
from voipbin.models.own import OwnRoute

T = TypeVar("T")


class Runner(Protocol):
    def __call__(self, exchange: Exchange[T], /) -> T: ...


class AsyncRunner(Protocol):
    def __call__(self, exchange: Exchange[T], /) -> Awaitable[T]: ...


def _item_and_body(action: Action, args: tuple[Any, ...]) -> tuple[Id | None, Body | None]:
    """An action's positional arguments after the resource's id: the item's id first for an
    action on an item (``contacts.address_delete(contact_id, address_id)``), then the body
    (a struct or a mapping), if any."""
    count = 1 if action.item else 0
    if len(args) < count or len(args) > count + 1:
        wanted = f"the {action.item} and " if action.item else ""
        raise TypeError(f"{action.name} takes the id, {wanted}an optional body")
    item: Id | None = args[0] if action.item else None
    body: Body | None = args[count] if len(args) > count else None
    return item, body


class _Accessor(Generic[M]):
    def __init__(self, calls: ResourceCalls[M]) -> None:
        self._calls = calls

    @property
    def spec(self) -> ResourceSpec[M]:
        return self._calls.spec

    def __dir__(self) -> list[str]:
        return [*super().__dir__(), *self._calls.actions]

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.spec.plural}>"


class Resource(_Accessor[M]):
    """The calls of one resource on a :class:`~voipbin.client.Client`."""

    def __init__(self, calls: ResourceCalls[M], run: Runner) -> None:
        super().__init__(calls)
        self._run = run

    def list(
        self, *, page_size: int | None = None, page_token: str | None = None, **filters: FilterValue
    ) -> Page[M]:
        """One page (newest first); ``filters`` are the list's query parameters."""
        return self._run(self._calls.list(page_size, page_token, filters))

    def iter(
        self, *, page_size: int | None = None, page_token: str | None = None, **filters: FilterValue
    ) -> Iterator[M]:
        """Every item, fetching pages as the iteration reaches them."""
        pager = Pager(page_token)
        while not pager.done:
            page = self._run(self._calls.list(page_size, pager.token, filters))
            yield from page.result
            pager.advance(page)

    def get(self, id: Id) -> M:
        return self._run(self._calls.get(id))

    def create(self, body: Body | None = None, /, **fields: Any) -> M:
        """Create from a body struct (or mapping), or from the create body's fields."""
        return self._run(self._calls.create(body, fields))

    def update(self, id: Id, body: Body | None = None, /, **fields: Any) -> M:
        """Change the fields given; the others keep their values."""
        return self._run(self._calls.update(id, body, fields))

    def delete(self, id: Id) -> None:
        self._run(self._calls.delete(id))

    def __getattr__(self, name: str) -> Callable[..., M | None]:
        if name.startswith("_") or name not in self._calls.actions:
            raise AttributeError(f"{self.spec.plural} has no action {name!r}")

        declared = self._calls.actions[name]

        def action(id: Id, /, *args: Any, undo: bool = False, **fields: Any) -> M | None:
            item, body = _item_and_body(declared, args)
            return self._run(self._calls.action(name, id, body, fields, undo, item))

        action.__name__ = name
        action.__doc__ = self._calls.actions[name].summary
        return action


class AsyncResource(_Accessor[M]):
    """The calls of one resource on an :class:`~voipbin.client.AsyncClient`."""

    def __init__(self, calls: ResourceCalls[M], run: AsyncRunner) -> None:
        super().__init__(calls)
        self._run = run

    async def list(
        self, *, page_size: int | None = None, page_token: str | None = None, **filters: FilterValue
    ) -> Page[M]:
        """One page (newest first); ``filters`` are the list's query parameters."""
        return await self._run(self._calls.list(page_size, page_token, filters))

    async def iter(
        self, *, page_size: int | None = None, page_token: str | None = None, **filters: FilterValue
    ) -> AsyncIterator[M]:
        """Every item, fetching pages as the iteration reaches them."""
        pager = Pager(page_token)
        while not pager.done:
            page = await self._run(self._calls.list(page_size, pager.token, filters))
            for item in page.result:
                yield item
            pager.advance(page)

    async def get(self, id: Id) -> M:
        return await self._run(self._calls.get(id))

    async def create(self, body: Body | None = None, /, **fields: Any) -> M:
        """Create from a body struct (or mapping), or from the create body's fields."""
        return await self._run(self._calls.create(body, fields))

    async def update(self, id: Id, body: Body | None = None, /, **fields: Any) -> M:
        """Change the fields given; the others keep their values."""
        return await self._run(self._calls.update(id, body, fields))

    async def delete(self, id: Id) -> None:
        await self._run(self._calls.delete(id))

    def __getattr__(self, name: str) -> Callable[..., Awaitable[M | None]]:
        if name.startswith("_") or name not in self._calls.actions:
            raise AttributeError(f"{self.spec.plural} has no action {name!r}")

        declared = self._calls.actions[name]

        async def action(id: Id, /, *args: Any, undo: bool = False, **fields: Any) -> M | None:
            item, body = _item_and_body(declared, args)
            return await self._run(self._calls.action(name, id, body, fields, undo, item))

        action.__name__ = name
        action.__doc__ = self._calls.actions[name].summary
        return action


class _OwnAccessor:
    def __init__(self, calls: OwnCalls) -> None:
        self._calls = calls

    @property
    def route(self) -> OwnRoute:
        return self._calls.route

    def __dir__(self) -> list[str]:
        return [*super().__dir__(), *self._calls.actions]

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.route.path}>"

    def _unknown(self, name: str) -> AttributeError:
        return AttributeError(f"{self.route.name} has no action {name!r}")


class Own(_OwnAccessor):
    """The calls of one own route (``client.customer``) on a :class:`~voipbin.client.Client`:
    the caller's own resource, without an id."""

    def __init__(self, calls: OwnCalls, run: Runner) -> None:
        super().__init__(calls)
        self._run = run

    def get(self) -> Any:
        """The caller's resource, as its own people see it (``OwnCustomer`` for a customer's
        admins, with its webhook secret)."""
        return self._run(self._calls.get())

    def update(self, body: Body | None = None, /, **fields: Any) -> Any:
        """Change the fields given; the others keep their values."""
        return self._run(self._calls.update(body, fields))

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_") or name not in self._calls.actions:
            raise self._unknown(name)

        def action(body: Body | None = None, /, **fields: Any) -> Any:
            return self._run(self._calls.action(name, body, fields))

        action.__name__ = name
        action.__doc__ = self._calls.actions[name].summary
        return action


class AsyncOwn(_OwnAccessor):
    """The calls of one own route on an :class:`~voipbin.client.AsyncClient`."""

    def __init__(self, calls: OwnCalls, run: AsyncRunner) -> None:
        super().__init__(calls)
        self._run = run

    async def get(self) -> Any:
        """The caller's resource, as its own people see it (``OwnCustomer`` for a customer's
        admins, with its webhook secret)."""
        return await self._run(self._calls.get())

    async def update(self, body: Body | None = None, /, **fields: Any) -> Any:
        """Change the fields given; the others keep their values."""
        return await self._run(self._calls.update(body, fields))

    def __getattr__(self, name: str) -> Callable[..., Awaitable[Any]]:
        if name.startswith("_") or name not in self._calls.actions:
            raise self._unknown(name)

        async def action(body: Body | None = None, /, **fields: Any) -> Any:
            return await self._run(self._calls.action(name, body, fields))

        action.__name__ = name
        action.__doc__ = self._calls.actions[name].summary
        return action
