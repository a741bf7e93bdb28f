"""Deterministic synthetic graph of the Territoires d'industrie domain, streamed as N-Quads.

    python bench/generate.py --triples 1000000 --output /tmp/x.nq --seed 1

Shaped like the bundled data and using only its terms and IRI scheme (see data/README.md): the official
geography (18 régions, 101 départements, ~1,250 EPCI, ~35,000 communes at full scale) in the graph
`graph/etalab-decoupage-administratif`; one document graph (`source/1000NN`) for the programme, its
phases, plans, schemes and national actors; one directory document per région (regional council,
prefectures, chambers, agencies, clusters, companies); one document per région listing its industry
territories with their member EPCI and the involvements around them; then funding-flow documents
(one territory each, 10-60 flows with their amounts and involvements) until the requested size is
reached: funding flows are the scale knob. The ontology and vocabularies are included in their own
graph, as `kg build` does. Below 1 M triples the geography, territories and companies shrink
proportionally so that small graphs (tests) stay small.

Same seed and size → byte-identical output (no set or dict iteration order is ever used).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pyoxigraph as ox

from bench import frnames as fn
from bench.nquads import (
    ONTOLOGY_IRI,
    RDF_TYPE,
    RDFS_LABEL,
    SKOS_IN_SCHEME,
    QuadWriter,
    dct,
    fr,
    igeo,
    plain,
    schema,
    slug,
    ti,
    tid,
    typed,
)

GENERATOR_VERSION = "1"
"""Bump whenever the output for a given seed and size changes: cached stores are keyed on it."""

FULL_SCALE_TRIPLES = 1_000_000
FULL_EPCI = 1250
FULL_TERRITORIES = 330
OVERSEAS_MAX_EPCI = 3
PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Dep:
    code: str
    name: str
    region: str
    overseas: bool
    communes: int = 0


@dataclass
class Epci:
    siren: str
    name: str
    dep: Dep
    communes: list[str] = field(default_factory=list)


@dataclass
class Territory:
    key: str
    name: str
    region: str
    epcis: list[Epci]


@dataclass
class Scheme:
    key: str
    label: str
    operators: list[str]


def key_of(iri: str) -> str:
    """The last path segment of an IRI spelt `<…>`."""
    return iri[1:-1].rsplit("/", 1)[1]


def _eur(value: int) -> str:
    return f"{value:,}".replace(",", " ") + " €"


def _meur(value: int) -> str:
    return f"{value / 1_000_000:.2f}".replace(".", ",") + " M€"


class Generator:
    """Writes the whole graph through a `QuadWriter`; `run()` stops adding flows at `target` quads."""

    def __init__(self, out: TextIO, *, target: int, seed: int, ontology_dir: Path | None) -> None:
        self.w = QuadWriter(out)
        self.rng = random.Random(seed)
        self.target = target
        self.scale = min(1.0, target / FULL_SCALE_TRIPLES)
        self.ontology_dir = ontology_dir
        self.deps: list[Dep] = []
        self.region_names: dict[str, str] = {}
        self.epcis: list[Epci] = []
        self.territories: list[Territory] = []
        self.national_schemes: list[Scheme] = []
        self.regional_funds: dict[str, Scheme] = {}  # région → its fund
        self.companies: dict[str, list[tuple[str, str]]] = {}  # région → [(iri, label)]
        self.doc_number = 100_000
        self.flows = 0
        self.used_keys: set[str] = set()  # membership only, never iterated

    # --- helpers ------------------------------------------------------------------------------------

    def unique(self, kind: str, key: str) -> str:
        candidate, n = key, 1
        while f"{kind}/{candidate}" in self.used_keys:
            n += 1
            candidate = f"{key}-{n}"
        self.used_keys.add(f"{kind}/{candidate}")
        return candidate

    def typed_node(self, iri: str, cls: str, label: str) -> None:
        self.w.add(iri, RDF_TYPE, ti(cls))
        self.w.add(iri, RDFS_LABEL, fr(label))

    def document(self, title: str, genre: str) -> str:
        """Open a new source document: its IRI names the graph that holds what it states."""
        self.doc_number += 1
        key = str(self.doc_number)
        doc = tid("source", key)
        self.w.graph(doc)
        self.typed_node(doc, "SourceDocument", title)
        self.w.add(doc, dct("title"), fr(title))
        day = self.rng.randint(0, 7 * 365)
        date = time.strftime("%Y-%m-%d", time.gmtime(1_546_300_800 + day * 86_400))  # from 2019-01-01
        self.w.add(doc, dct("modified"), typed(date, "date"))
        self.w.add(doc, ti("genre"), tid("genre", genre))
        self.w.add(doc, dct("language"), plain("fr"))
        self.w.add(doc, ti("seedFile"), plain(f"synthetic-{key}.txt"))
        return key

    def involvement(self, doc: str, name: str, agent: str, thing: str, role: str, label: str, area: str) -> None:
        inv = tid("involvement", self.unique("involvement", f"{doc}-{name}"))
        self.typed_node(inv, "Involvement", label)
        self.w.add(inv, ti("agent"), agent)
        self.w.add(inv, ti("involvedIn"), thing)
        self.w.add(inv, ti("role"), tid("role", role))
        if area:
            self.w.add(inv, ti("area"), area)

    # --- the parts, in order ------------------------------------------------------------------------

    def run(self) -> int:
        if self.ontology_dir is not None:
            self.ontology()
        self.geography()
        self.programme()
        self.directories()
        self.territory_documents()
        self.flow_documents()
        return self.w.count

    def ontology(self) -> None:
        assert self.ontology_dir is not None
        graph = ox.NamedNode(ONTOLOGY_IRI)
        for path in sorted(self.ontology_dir.glob("*.ttl")):
            for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
                self.w.raw(f"{q.subject} {q.predicate} {q.object} {graph} .\n")

    def geography(self) -> None:
        g = tid("graph", "etalab-decoupage-administratif")
        self.w.graph(g)
        self.typed_node(g, "Dataset", "Découpage administratif (synthétique) : régions, départements, EPCI, communes")
        france = tid("country", "france")
        self.typed_node(france, "Country", "France")
        for code, name, deps in fn.REGIONS:
            self.region_names[code] = name
            reg = tid("region", code)
            self.typed_node(reg, "Region", name)
            self.w.add(reg, igeo("codeINSEE"), plain(code))
            self.w.add(reg, igeo("subdivisionDe"), france)
            for dcode, dname in deps:
                self.deps.append(Dep(dcode, dname, code, overseas=len(dcode) == 3))
                dep = tid("departement", dcode)
                self.typed_node(dep, "Departement", dname)
                self.w.add(dep, igeo("codeINSEE"), plain(dcode))
                self.w.add(dep, ti("inRegion"), reg)
        self._make_epcis()
        for epci in self.epcis:
            self._write_epci(epci)

    def _make_epcis(self) -> None:
        n_epci = max(20, round(FULL_EPCI * self.scale))
        by_code = {d.code: d for d in self.deps}
        order = [by_code["07"], by_code["26"], by_code["07"], by_code["26"]]  # for "Ardèche Drôme Nord"
        cycle = list(self.deps)
        self.rng.shuffle(cycle)
        per_dep: dict[str, int] = {}
        i = 0
        while len(order) < n_epci:
            dep = cycle[i % len(cycle)]
            i += 1
            if dep.overseas and per_dep.get(dep.code, 0) >= OVERSEAS_MAX_EPCI:
                continue
            per_dep[dep.code] = per_dep.get(dep.code, 0) + 1
            order.append(dep)
        for n, dep in enumerate(order):
            epci = Epci(siren=f"2000{n:05d}", name=self._epci_name(dep), dep=dep)
            for _ in range(self.rng.randint(5, 30 if dep.overseas else 51)):
                dep.communes += 1
                width = 5 - len(dep.code)
                epci.communes.append(f"{dep.code}{dep.communes:0{width}d}")
            self.epcis.append(epci)

    def _epci_name(self, dep: Dep) -> str:
        r = self.rng
        root, other = r.choice(fn.TOPONYMS), r.choice(fn.TOPONYMS)
        kind = r.random()
        if kind < 0.80:
            return r.choice(
                [f"CC du Pays de {root}", f"CC {root} {dep.name}", f"Communauté de communes {root}-{other}"]
            )
        if kind < 0.97:
            return r.choice([f"CA {root} Agglo", f"Communauté d'agglomération {root} {dep.name}"])
        return f"CU {root}" if kind < 0.99 else f"Métropole {root}"

    def _write_epci(self, epci: Epci) -> None:
        iri = tid("epci", epci.siren)
        reg = tid("region", epci.dep.region)
        dep = tid("departement", epci.dep.code)
        self.typed_node(iri, "Intercommunality", epci.name)
        kind = epci.name.split(" ")[0]
        self.w.add(iri, ti("epciType"), plain({"Communauté": "CC", "Métropole": "METRO"}.get(kind, kind)))
        self.w.add(iri, ti("officialName"), plain(epci.name))
        self.w.add(iri, ti("siren"), plain(epci.siren))
        self.w.add(iri, ti("inDepartement"), dep)
        self.w.add(iri, ti("inRegion"), reg)
        for code in epci.communes:
            com = tid("commune", code)
            self.w.add(iri, ti("hasMemberCommune"), com)
            self.typed_node(com, "Commune", self._commune_name(epci.dep))
            self.w.add(com, igeo("codeINSEE"), plain(code))
            self.w.add(com, ti("inDepartement"), dep)
            self.w.add(com, ti("inRegion"), reg)
            self.w.add(com, ti("memberOfIntercommunality"), iri)
            self.w.add(com, ti("siren"), plain(f"21{self.w.count % 10_000_000:07d}"))

    def _commune_name(self, dep: Dep) -> str:
        r = self.rng
        prefix = r.choice(fn.COMMUNE_PREFIXES)
        root = r.choice(fn.SAINTS) if prefix.startswith("Saint") else r.choice(fn.TOPONYMS)
        suffix = f"-en-{dep.name}" if r.random() < 0.08 else r.choice(fn.COMMUNE_SUFFIXES)
        return f"{prefix}{root}{suffix}"

    def programme(self) -> None:
        doc = self.document("Le programme Territoires d'industrie, ses phases et ses dispositifs", "press-release")
        prog = tid("programme", "territoires-d-industrie")
        self.typed_node(prog, "Programme", "Territoires d'industrie")
        self.w.add(prog, ti("startYear"), typed(2018, "gYear"))
        for number, (start, end) in enumerate([(2018, 2022), (2023, 2027)], 1):
            phase = tid("phase", str(number))
            self.w.add(prog, ti("hasPhase"), phase)
            self.typed_node(phase, "Phase", f"Territoires d'industrie {start}-{end}")
            self.w.add(phase, ti("phaseOf"), prog)
            self.w.add(phase, ti("phaseNumber"), typed(number, "integer"))
            self.w.add(phase, ti("startYear"), typed(start, "gYear"))
            self.w.add(phase, ti("endYear"), typed(end, "gYear"))
        for key, label in fn.SECTORS:
            sector = tid("sector", key)
            self.typed_node(sector, "Sector", label)
            self.w.add(sector, SKOS_IN_SCHEME, tid("concepts", "sectors"))
        for key, label in fn.PLANS:
            self.typed_node(tid("plan", key), "NationalPlan", label)
        etat = tid("actor", "etat")
        self.typed_node(etat, "State", "État")
        for key, label in fn.MINISTRIES:
            self.typed_node(tid("actor", key), "Ministry", label)
        for key, label in fn.NETWORKS:
            self.typed_node(tid("actor", key), "Network", label)
        for key, label, acronym in fn.OPERATORS:
            op = tid("actor", key)
            self.typed_node(op, "StateOperator", label)
            if acronym:
                self.w.add(op, ti("acronym"), plain(acronym))
            self.involvement(doc, f"{key}-programme", op, prog, "support", f"{label}, appui du programme", "")
        self.involvement(doc, "etat-programme", etat, prog, "co-pilot", "L'État, copilote du programme", "")
        operator_iris = [tid("actor", key) for key, _, _ in fn.OPERATORS]
        for key, label, cls, plan, acronym in fn.SCHEMES:
            ops = self.rng.sample(operator_iris, self.rng.randint(1, 3))
            self.national_schemes.append(self._scheme(doc, key, label, cls, plan, acronym, ops))

    def _scheme(self, doc: str, key: str, label: str, cls: str, plan: str, acronym: str, ops: list[str]) -> Scheme:
        iri = tid("scheme", key)
        self.typed_node(iri, cls, label)
        self.w.add(iri, ti("offeredIn"), tid("phase", "2"))
        self.w.add(iri, ti("purpose"), fr(self.rng.choice(fn.FLOW_PURPOSES)))
        if plan:
            self.w.add(iri, ti("partOfPlan"), tid("plan", plan))
        if acronym:
            self.w.add(iri, ti("acronym"), plain(acronym))
        for op in ops:
            role = self.rng.choice(["operator-to-mobilise", "deployer", "funder", "envelope-manager"])
            self.involvement(doc, f"{key}-{key_of(op)}", op, iri, role, f"{label} : opérateur", "")
        return Scheme(key, label, ops)

    def directories(self) -> None:
        n_companies = max(40, round(self.target / 200 * self.scale))
        regions = [code for code, _, _ in fn.REGIONS]
        weights = [sum(1 for e in self.epcis if e.dep.region == code) + 1 for code in regions]
        company_regions = self.rng.choices(regions, weights=weights, k=n_companies)
        for code, name, deps in fn.REGIONS:
            self.document(f"Annuaire des acteurs de l'industrie en {name}", "news-item")
            reg = tid("region", code)
            council = tid("actor", f"region-{slug(name)}")
            self.typed_node(council, "RegionalCouncil", f"Conseil régional {name}")
            self.w.add(council, ti("jurisdiction"), reg)
            self.typed_node(
                tid("actor", f"agence-developpement-{slug(name)}"),
                "Agency",
                f"Agence de développement économique {name}",
            )
            fund = f"fonds-regional-industrie-{slug(name)}"
            self.regional_funds[code] = self._scheme(
                str(self.doc_number), fund, f"Fonds régional pour l'industrie ({name})", "Fund", "", "", [council]
            )
            for sector_key, sector in self.rng.sample(fn.SECTORS, 2):
                self.typed_node(tid("actor", f"pole-{sector_key}-{slug(name)}"), "Cluster", f"Pôle {sector} {name}")
            for dcode, dname in deps:
                pref = tid("actor", f"prefecture-{slug(dname)}")
                self.typed_node(pref, "Prefecture", f"Préfecture ({dname})")
                self.w.add(pref, ti("jurisdiction"), tid("departement", dcode))
                self.typed_node(tid("actor", f"cci-{slug(dname)}"), "Chamber", f"CCI {dname}")
            companies = self.companies.setdefault(code, [])
            for _ in range(company_regions.count(code)):
                r = self.rng
                label = f"{r.choice(fn.COMPANY_TRADES)} {r.choice(fn.TOPONYMS)} {r.choice(fn.COMPANY_FORMS)}"
                iri = tid("actor", self.unique("actor", slug(label)))
                self.typed_node(iri, "Company", label)
                self.w.add(iri, ti("siren"), plain(f"{r.randint(300_000_000, 999_999_999)}"))
                companies.append((iri, label))

    def territory_documents(self) -> None:
        n_terr = max(8, round(FULL_TERRITORIES * self.scale))
        for code, name, _ in fn.REGIONS:
            epcis = [e for e in self.epcis if e.dep.region == code]
            fixed: list[Epci] = []
            if code == "84":  # the first four EPCI are in Ardèche and Drôme: "Ardèche Drôme Nord" gets them
                fixed, epcis = epcis[:4], epcis[4:]
            self.rng.shuffle(epcis)
            share = max(1, round(n_terr * len(epcis) / len(self.epcis))) if epcis else 0
            found: list[Territory] = []
            if code == "84":
                found.append(
                    Territory(self.unique("territory", "ardeche-drome-nord"), "Ardèche Drôme Nord", code, fixed)
                )
            while epcis and len(found) < share:
                size = self.rng.randint(1, 6)
                members, epcis = epcis[:size], epcis[size:]
                label = self._territory_name(members[0])
                found.append(Territory(self.unique("territory", slug(label)), label, code, members))
            if found:
                self._territory_document(name, found)

    def _territory_name(self, epci: Epci) -> str:
        r = self.rng
        root, other = r.choice(fn.TOPONYMS), r.choice(fn.TOPONYMS)
        return r.choice(
            [
                f"{epci.dep.name} {r.choice(fn.ORIENTATIONS)}",
                f"{root}-{other}",
                f"Vallée {r.choice(fn.RIVERS)} {root}",
                f"Pays de {root}",
                f"{root} {epci.dep.name}",
            ]
        )

    def _territory_document(self, region_name: str, found: list[Territory]) -> None:
        doc = self.document(f"Les Territoires d'industrie de la région {region_name}", "press-release")
        council = tid("actor", f"region-{slug(region_name)}")
        for t in found:
            iri = tid("territory", t.key)
            self.typed_node(iri, "IndustryTerritory", t.name)
            for phase in self.rng.choice([["1"], ["2"], ["1", "2"], ["1", "2"]]):
                self.w.add(iri, ti("laureateOf"), tid("phase", phase))
            self.w.add(iri, ti("inRegion"), tid("region", t.region))
            for sector_key, _ in self.rng.sample(fn.SECTORS, self.rng.randint(1, 3)):
                self.w.add(iri, ti("hasSector"), tid("sector", sector_key))
            self.w.add(iri, ti("statedMemberCount"), typed(len(t.epcis), "integer"))
            for epci in t.epcis:
                e = tid("epci", epci.siren)
                self.w.add(iri, ti("hasMemberIntercommunality"), e)
                self.typed_node(e, "Intercommunality", epci.name)
                self.involvement(doc, f"{epci.siren}-{t.key}", e, iri, "pilot", f"{epci.name}, pilote de {t.name}", iri)
            dep = t.epcis[0].dep
            pref = tid("actor", f"prefecture-{slug(dep.name)}")
            self.involvement(
                doc, f"prefecture-{t.key}", pref, iri, "co-pilot", f"Préfecture, copilote de {t.name}", iri
            )
            self.involvement(doc, f"region-{t.key}", council, iri, "co-pilot", f"Région, copilote de {t.name}", iri)
            self.involvement(
                doc, f"anct-{t.key}", tid("actor", "anct"), iri, "support", f"ANCT, appui de {t.name}", iri
            )
            companies = self.companies.get(t.region, [])
            for company, label in self.rng.sample(companies, min(len(companies), self.rng.randint(1, 2))):
                inv_key = f"{key_of(company)}-{t.key}"
                self.involvement(
                    doc, inv_key, company, iri, "industrial-representative", f"{label}, industriel de {t.name}", iri
                )
            if self.rng.random() < 0.5:
                bdt = tid("actor", "banque-des-territoires")
                self.involvement(
                    doc, f"bdt-{t.key}", bdt, iri, "partner", f"Banque des Territoires, partenaire de {t.name}", iri
                )
            if self.rng.random() < 0.3:
                cci = tid("actor", f"cci-{slug(dep.name)}")
                self.involvement(
                    doc, f"cci-{t.key}", cci, iri, "partner", f"CCI {dep.name}, partenaire de {t.name}", iri
                )
        self.territories.extend(found)

    def flow_documents(self) -> None:
        weights = [len(t.epcis) for t in self.territories]
        while self.w.count < self.target:
            t = self.rng.choices(self.territories, weights=weights)[0]
            doc = self.document(f"Bilan des financements du territoire d'industrie {t.name}", "news-item")
            self.w.add(tid("territory", t.key), RDFS_LABEL, fr(t.name))
            for _ in range(self.rng.randint(10, 60)):
                if self.w.count >= self.target:
                    break
                self._flow(doc, t)

    def _flow(self, doc: str, t: Territory) -> None:
        r = self.rng
        self.flows += 1
        regional = self.regional_funds.get(t.region)
        scheme = regional if regional is not None and r.random() < 0.2 else r.choice(self.national_schemes)
        name = f"{scheme.key}-{self.flows}"
        key = f"{doc}-{name}"
        flow, amount, area = tid("funding", key), tid("amount", key), tid("territory", t.key)
        companies = self.companies.get(t.region, [])
        pick = r.random()
        if pick < 0.45 and companies:
            recipient, recipient_label = r.choice(companies)
            recipient_label = f"{recipient_label} ({t.name})"
        elif pick < 0.6:
            epci = r.choice(t.epcis)
            recipient, recipient_label = tid("epci", epci.siren), epci.name
        else:
            recipient, recipient_label = area, t.name
        who = r.random()
        if who < 0.7:
            funder = r.choice(scheme.operators)
        elif who < 0.9:
            funder = tid("actor", f"region-{slug(self.region_names[t.region])}")
        else:
            funder = tid("actor", "etat")
        words = self._amount(amount)
        self.typed_node(flow, "FundingFlow", f"{scheme.label} : {words} pour {recipient_label}")
        self.w.add(flow, ti("funder"), funder)
        self.w.add(flow, ti("recipient"), recipient)
        self.w.add(flow, ti("throughScheme"), tid("scheme", scheme.key))
        self.w.add(flow, ti("amount"), amount)
        self.w.add(flow, ti("forPhase"), tid("phase", "2" if r.random() < 0.7 else "1"))
        self.w.add(flow, ti("area"), area)
        if r.random() < 0.5:
            self.w.add(flow, ti("year"), typed(r.randint(2019, 2026), "gYear"))
        if r.random() < 0.3:
            self.w.add(flow, ti("purpose"), fr(r.choice(fn.FLOW_PURPOSES)))
        if r.random() < 0.3:
            if recipient.startswith(tid("actor", "")[:-1]):
                label = f"{recipient_label}, bénéficiaire"
                self.involvement(doc, f"{name}-beneficiary", recipient, flow, "beneficiary", label, area)
            partner = r.choice(
                [f"cci-{slug(t.epcis[0].dep.name)}", f"agence-developpement-{slug(self.region_names[t.region])}"]
            )
            self.involvement(
                doc, f"{name}-partner", tid("actor", partner), flow, "partner", f"Partenaire : {recipient_label}", area
            )

    def _amount(self, amount: str) -> str:
        """Writes the amount node; returns its wording for the flow's label."""
        r = self.rng
        value = (int(r.lognormvariate(12, 1.3)) // 1000 + 1) * 1000
        self.w.add(amount, RDF_TYPE, ti("MonetaryAmount"))
        self.w.add(amount, schema("currency"), plain("EUR"))
        kind = r.random()
        if kind < 0.8:
            qual, words = (
                ("exact", _eur(value))
                if kind < 0.6
                else r.choice(
                    [
                        ("more-than", f"plus de {_eur(value)}"),
                        ("about", f"environ {_eur(value)}"),
                        ("nearly", f"près de {_eur(value)}"),
                    ]
                )
            )
            self.w.add(amount, schema("value"), typed(value, "decimal"))
        else:
            high = value * r.randint(2, 5)
            qual = r.choice(["range", "on-average"])
            words = f"{_eur(value)} à {_eur(high)}" + (" en moyenne" if qual == "on-average" else "")
            self.w.add(amount, schema("minValue"), typed(value, "decimal"))
            self.w.add(amount, schema("maxValue"), typed(high, "decimal"))
        self.w.add(amount, RDFS_LABEL, fr(words))
        self.w.add(amount, ti("qualifier"), tid("qualifier", qual))
        if r.random() < 0.4:
            self.w.add(amount, ti("statedAs"), fr(_meur(value)))
        return words


def generate(output: Path, *, triples: int, seed: int, with_ontology: bool = True) -> tuple[int, int]:
    """Write about `triples` quads to `output`; returns (quads written, funding flows)."""
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(output.name + ".part")
    with tmp.open("w", encoding="utf-8", newline="\n", buffering=1 << 20) as out:
        gen = Generator(
            out, target=triples, seed=seed, ontology_dir=PROJECT_ROOT / "ontology" if with_ontology else None
        )
        count = gen.run()
    tmp.replace(output)
    return count, gen.flows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--triples", type=int, required=True, help="about how many quads to write")
    parser.add_argument("--output", type=Path, required=True, help="N-Quads file to write")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-ontology", action="store_true", help="leave out the ontology graph")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    count, flows = generate(args.output, triples=args.triples, seed=args.seed, with_ontology=not args.no_ontology)
    size = args.output.stat().st_size
    print(
        f"{args.output}: {count:,} quads, {flows:,} funding flows, {size / 1e6:.1f} MB, "
        f"{time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
