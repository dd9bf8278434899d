"""Drive AMT's own task-registry code against a server; runs in AMT's virtual environment.

Not a test module and never imported by akgraph's tests: tests/test_amt_contract.py runs it as
``python tests/amt_driver.py MODE`` with ``TASK_REGISTRY_URL`` set and AMT's checkout first on
``sys.path`` (``AMT_CHECKOUT``). It reads a JSON request on stdin and writes a JSON answer:

* ``parse``: AMT's services fetch every requirement, measure and instrument (the index, then
  one GET per URN) and parse them with AMT's models; per collection the URNs that parsed, and
  for a call that failed the error and the records that do not parse.
* ``applicable`` (request: a list of AiActProfile field dicts): per profile, the indexes of the
  requirements (in the order of ``requirements``) AMT's ``is_requirement_applicable`` accepts.
* ``systemcards`` (request: a list of profiles): per profile, the requirement and measure URNs
  of AMT's ``get_requirements_and_measures``.
* ``timed`` (request: one profile): seconds AMT takes for its system-card flow (index, one GET
  per URN, parse) and for fetching every instrument, in this fresh process (AMT caches each
  URN's record per process), with the counts fetched. For bench/registry_bench.py.
* ``fetch`` (request: URNs per collection): seconds AMT's repository takes to fetch those
  records (one GET per URN) and its models to parse them, in this fresh process, and the
  number parsed; the same records from two servers, for bench/registry_bench.py.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time

sys.path.insert(0, os.environ["AMT_CHECKOUT"])

from amt.clients.clients import TaskType
from amt.repositories.task_registry import task_registry_repository
from amt.schema.ai_act_profile import AiActProfile
from amt.schema.instrument import Instrument
from amt.schema.measure import Measure
from amt.schema.requirement import Requirement
from amt.services.instruments import instruments_service
from amt.services.measures import measures_service
from amt.services.requirements import requirements_service
from amt.services.task_registry import (
    get_requirements_and_measures,
    is_requirement_applicable,
)

MODELS = {"requirements": Requirement, "measures": Measure, "instruments": Instrument}
SERVICES = {
    "requirements": requirements_service.fetch_requirements,
    "measures": measures_service.fetch_measures,
    "instruments": instruments_service.fetch_instruments,
}


async def parse(_: object) -> dict:
    answer: dict = {}
    for kind, fetch in SERVICES.items():
        try:
            parsed = await fetch()
            found = {"parsed": [p.urn for p in parsed]}
            if kind == "instruments":
                found["tasks"] = {p.urn: len(p.tasks) for p in parsed}
        except Exception as error:  # report which records do not parse
            raw = await task_registry_repository.fetch_tasks(TaskType(kind))
            bad = []
            for data in raw:
                try:
                    MODELS[kind](**data)
                except Exception as problem:
                    bad.append({"urn": data.get("urn"), "error": str(problem)[:500]})
            found = {"error": f"{type(error).__name__}: {str(error)[:500]}", "bad": bad}
        answer[kind] = found
    return answer


async def applicable(profiles: list[dict]) -> dict:
    requirements = await requirements_service.fetch_requirements()
    verdicts = []
    for fields in profiles:
        profile = AiActProfile(**fields)
        found = [i for i, r in enumerate(requirements) if is_requirement_applicable(r, profile)]
        verdicts.append(found)
    return {"requirements": [r.urn for r in requirements], "verdicts": verdicts}


async def systemcards(profiles: list[dict]) -> dict:
    cards = []
    for fields in profiles:
        requirements, measures = await get_requirements_and_measures(AiActProfile(**fields))
        card = {"requirements": [r.urn for r in requirements]}
        card["measures"] = [m.urn for m in measures]
        cards.append(card)
    return {"cards": cards}


async def timed(fields: dict) -> dict:
    start = time.perf_counter()
    requirements, measures = await get_requirements_and_measures(AiActProfile(**fields))
    card = time.perf_counter() - start
    start = time.perf_counter()
    instruments = await instruments_service.fetch_instruments()
    return {
        "systemcard": card,
        "instruments": time.perf_counter() - start,
        "counts": [len(requirements), len(measures), len(instruments)],
    }


async def fetch(urns: dict[str, list[str]]) -> dict:
    start = time.perf_counter()
    parsed = 0
    for kind, wanted in urns.items():
        records = await task_registry_repository.fetch_tasks(TaskType(kind), wanted)
        parsed += len([MODELS[kind](**data) for data in records])
    return {"seconds": time.perf_counter() - start, "parsed": parsed}


MODES = {
    "parse": parse,
    "applicable": applicable,
    "systemcards": systemcards,
    "timed": timed,
    "fetch": fetch,
}

if __name__ == "__main__":
    request = json.load(sys.stdin)
    json.dump(asyncio.run(MODES[sys.argv[1]](request)), sys.stdout)
