"""Attacks that show why privacy protections are needed (and check that they work)."""

__all__: list[str] = []  # the attacks live in the submodules (``lab.attacks.membership``, ...)
