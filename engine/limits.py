"""durable-rules' alpha network for a compiled ruleset, and the limits of durable-rules it can break.

durable-rules 2.0.28 compiles every rule's condition into a network of tests (src/rules/rete.c): the tests of an
`$and` form a chain, a test already present under the same parent with the same field, operator and operand is
shared, and an `$or` sends each branch into a "forward" node of its own. Matching a fact walks that network
depth first with a fixed stack (src/rules/events.c, `handleAlpha`): every test of a node's children that holds is
pushed at once. Measured on 2.0.28 (docs/rulesets.md, "Limits"):

- more than 64 tests on the stack at once for one fact: the assert fails with error 303 and no rule fires;
- 512 distinct tests (other than absence tests) under one node: the ruleset registers, but every fact that
  reaches the node hangs (its open-addressed table of 512 is full, so a search never ends); with more,
  `set_rulesets` itself never returns;
- 128 absence tests under one node: the process dies (SIGSEGV) on the first fact that reaches them;
- more than 128 absence tests and `$or` exits together under one node: registration fails with error 107;
- 256 rules ending at the same node (identical conditions): SIGSEGV on the first fact that reaches it; more:
  registration fails with error 108.

All but the first are exact counts of the network's shape: `compile_ruleset` refuses a ruleset that breaks
one (LimitError), since it would hang, crash or fail registration. The first depends on the fact, so it is only
bounded here from above, for `rules lint`: equality tests of one field against different literals exclude each
other, and every other test is assumed to hold.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import RuleDefinitionError

MAX_STACK = 64
MAX_CHILDREN = 511
MAX_ABSENT = 127
MAX_LISTED = 128
MAX_RULES_PER_NODE = 255
# The condition language's names for durable-rules' operators, for messages.
_WORDS = {"$eq": "eq", "$neq": "ne", "$lt": "lt", "$lte": "lte", "$gt": "gt", "$gte": "gte", "$ex": "exists"}
_OPERATORS = ("$neq", "$lt", "$lte", "$gt", "$gte", "$ex", "$nex", "$mt", "$imt", "$iall", "$iany")


@dataclass(eq=False)
class _Node:
    label: str
    # (field, operator, operand as canonical JSON) -> test; shared, as rete.c's findAlpha shares them
    children: dict[tuple[str, str, str], _Node] = field(default_factory=dict)
    literal: dict[tuple[str, str, str], bool] = field(default_factory=dict)
    absent: dict[str, _Node] = field(default_factory=dict)
    forwards: list[_Node] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)

    def pushed_at_most(self) -> int:
        """How many of this node's children one fact can put on the stack at once (an upper bound)."""
        equal_fields: set[str] = set()
        others: Counter[str] = Counter()
        for key, is_literal in self.literal.items():
            path, op, _ = key
            if op == "$eq" and is_literal:
                equal_fields.add(path)  # a field has one value: at most one of its literal equalities holds
            else:
                others[path] += 1
        absent = Counter(self.absent.keys())  # one absence test per path at most
        paths = equal_fields | set(others) | set(absent)
        present = {p: (1 if p in equal_fields else 0) + others[p] for p in paths}
        return sum(max(present[p], absent[p]) for p in paths) + len(self.forwards)


@dataclass(frozen=True)
class LimitProblem:
    """A limit of durable-rules 2.0.28 the ruleset would break, with the rules involved."""

    limit: str
    message: str
    rules: tuple[str, ...]

    def describe(self, named: int = 6) -> str:
        shown = ", ".join(self.rules[:named]) + (", ..." if len(self.rules) > named else "")
        return f"{self.message} (rules: {shown})"


class Network:
    """The alpha network durable-rules builds for `conditions` (rule id -> durable condition JSON)."""

    def __init__(self, conditions: Iterable[tuple[str, Mapping[str, Any]]]) -> None:
        self.root = _Node("the root")
        self.nodes: list[_Node] = [self.root]
        for rule_id, condition in conditions:
            self._build(condition, self.root).rules.append(rule_id)

    def _build(self, condition: Mapping[str, Any], parent: _Node) -> _Node:
        node = parent
        for key, value in condition.items():  # durable reads a mapping's entries in order, as a chain
            if key == "$and":
                for term in value:
                    node = self._build(term, node)
            elif key == "$or":
                forward = _Node(f"an `any` under {node.label}")
                self.nodes.append(forward)
                for branch in value:
                    self._build(branch, node).forwards.append(forward)
                node = forward
            elif key in _OPERATORS:
                ((path, operand),) = value.items()
                node = self._test(node, str(path), key, operand)
            else:
                node = self._test(node, str(key), "$eq", value)
        return node

    def _test(self, parent: _Node, path: str, op: str, operand: Any) -> _Node:
        if op == "$nex":
            found = parent.absent.get(path)
            if found is None:
                found = parent.absent[path] = self._new(f"`{path} exists false`")
            return found
        key = (path, op, json.dumps(operand, sort_keys=True))
        found = parent.children.get(key)
        if found is None:
            found = parent.children[key] = self._new(f"`{path} {_WORDS.get(op, op)} {key[2]}`")
            # A test against another field ({"$m": name}) is pushed whenever its own field is present.
            parent.literal[key] = not isinstance(operand, Mapping)
        return found

    def _new(self, label: str) -> _Node:
        node = _Node(label)
        self.nodes.append(node)
        return node

    def rules_under(self, node: _Node) -> tuple[str, ...]:
        found: list[str] = []
        seen: set[int] = set()
        stack = [node]
        while stack:
            current = stack.pop()
            if id(current) in seen:
                continue
            seen.add(id(current))
            found += current.rules
            stack += [*current.children.values(), *current.absent.values(), *current.forwards]
        return tuple(dict.fromkeys(sorted(found)))

    def worst_stack(self) -> tuple[int, _Node]:
        """An upper bound of the depth-first stack for any one fact, and the node where it peaks."""
        # pending[n]: tests left on the stack, at most, when n is popped (children pushed before it wait).
        pending: dict[int, int] = {id(self.root): 0}
        order = self._topological()
        worst, where = 0, self.root
        for node in order:
            base = pending.get(id(node))
            if base is None:
                continue
            pushed = node.pushed_at_most()
            if base + pushed > worst:
                worst, where = base + pushed, node
            for child in (*node.children.values(), *node.absent.values(), *node.forwards):
                pending[id(child)] = max(pending.get(id(child), 0), base + pushed - 1)
        return worst, where

    def _topological(self) -> list[_Node]:
        incoming: Counter[int] = Counter()
        for node in self.nodes:
            for child in (*node.children.values(), *node.absent.values(), *node.forwards):
                incoming[id(child)] += 1
        ready = [self.root]
        order: list[_Node] = []
        while ready:
            node = ready.pop()
            order.append(node)
            for child in (*node.children.values(), *node.absent.values(), *node.forwards):
                incoming[id(child)] -= 1
                if incoming[id(child)] == 0:
                    ready.append(child)
        return order

    def structural_problems(self) -> list[LimitProblem]:
        """Limits broken by the network's shape alone: registration fails or never returns, or a fact hangs or
        crashes the process."""
        problems: list[LimitProblem] = []
        for node in self.nodes:
            listed = len(node.absent) + len(node.forwards)
            if len(node.children) > MAX_CHILDREN:
                problems.append(
                    LimitProblem(
                        "children",
                        f"{len(node.children)} different conditions follow {node.label}; durable-rules 2.0.28 "
                        f"hangs with more than {MAX_CHILDREN} there (measured: at 512 on every fact reaching them, "
                        "above 512 loading the ruleset)",
                        self.rules_under(node),
                    )
                )
            if listed > MAX_LISTED:
                problems.append(
                    LimitProblem(
                        "listed",
                        f"{listed} `exists: false` tests and `any` exits follow {node.label}; durable-rules 2.0.28 "
                        f"refuses more than {MAX_LISTED} there (error 107 at registration)",
                        self.rules_under(node),
                    )
                )
            elif len(node.absent) > MAX_ABSENT:
                problems.append(
                    LimitProblem(
                        "absent",
                        f"{len(node.absent)} `exists: false` tests follow {node.label}; durable-rules 2.0.28 "
                        f"crashes the process with more than {MAX_ABSENT} there (measured: on the first fact "
                        "reaching them)",
                        self.rules_under(node),
                    )
                )
            if len(node.rules) > MAX_RULES_PER_NODE:
                problems.append(
                    LimitProblem(
                        "rules",
                        f"{len(node.rules)} rules have the same conditions up to {node.label}; durable-rules 2.0.28 "
                        f"takes at most {MAX_RULES_PER_NODE} (measured: 256 crash the process on the first fact "
                        "reaching them, more fail registration with error 108)",
                        tuple(node.rules),
                    )
                )
        return problems

    def stack_problem(self) -> LimitProblem | None:
        """The 64-test limit, if one fact could reach it."""
        worst, where = self.worst_stack()
        if worst <= MAX_STACK:
            return None
        return LimitProblem(
            "stack",
            f"one fact could hold up to {worst} true conditions at once (at {where.label}); durable-rules 2.0.28 "
            f"fails the assert with error 303 above {MAX_STACK}, and no rule fires",
            self.rules_under(where),
        )


class LimitError(RuleDefinitionError):
    """The rules compile, but durable-rules could not register them: `limits` says which limits, and where."""

    def __init__(self, limits: list[LimitProblem], network: Network) -> None:
        super().__init__([limit.describe() for limit in limits])
        self.limits = limits
        self.network = network
