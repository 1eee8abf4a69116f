"""Same pack, same trace and result, byte for byte, in processes with different string hashing.

Set and dict iteration over strings depends on PYTHONHASHSEED; an evaluation that leaned on either would
number its firings differently from one run to the next, and a replayed decision record would not match.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

from conftest import STOCKPORT_PACK
from tenderscore.engine import canonical_json
from tenderscore.scoring.evaluate import evaluate
from tenderscore.scoring.pack import load_pack

SCRIPT = """
import sys
from pathlib import Path
from tenderscore.engine import canonical_json
from tenderscore.scoring.evaluate import evaluate
from tenderscore.scoring.pack import load_pack

evaluation = evaluate(load_pack(Path(sys.argv[1])))
sys.stdout.buffer.write(canonical_json(evaluation.trace.firings) + b"\\n" + canonical_json(evaluation.result))
"""


def score_in_fresh_process(pack: Path, hash_seed: str) -> bytes:
    env = dict(os.environ, PYTHONHASHSEED=hash_seed)
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(pack)], env=env, capture_output=True, check=False)
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout


def test_trace_and_result_are_byte_identical_across_hash_seeds() -> None:
    seeds = ["0", "1", "12345", "random", str(random.randint(2, 2**32 - 1))]
    outputs = {seed: score_in_fresh_process(STOCKPORT_PACK, seed) for seed in seeds}
    assert len(set(outputs.values())) == 1, {seed: len(out) for seed, out in outputs.items()}

    # ...and identical to this process's own evaluation, whatever seed pytest itself runs under.
    evaluation = evaluate(load_pack(STOCKPORT_PACK))
    here = canonical_json(evaluation.trace.firings) + b"\n" + canonical_json(evaluation.result)
    assert outputs["0"] == here

    # The comparison is over a real trace: the shipped pack fires the tender's policy status first, then
    # per bid its valuations, caps, the gate exclusion, the minimum-score exclusion and the flags.
    firings = evaluation.trace.firings
    assert firings[0].rule == "policy.meets_target"
    assert [f.seq for f in firings] == list(range(1, len(firings) + 1))
    rules = {f.rule for f in firings}
    assert {"gate.not_passed", "question.below_minimum", "measure.unknown", "sv.implausible"} <= rules
    assert {"cap.spend_at_contract_value", "price.abnormally_low", "value.NT1"} <= rules
