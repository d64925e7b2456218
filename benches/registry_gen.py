#!/usr/bin/env python3
"""Writes a synthetic IATI 2.03 activities file for the registry benchmark.

    registry_gen.py OUT.xml COUNT [--prefix P] [--seed N]

Activities look like real anti-trafficking projects: 3,000 reporting organisations with
org-id references, 60 recipient countries (a few much busier than the rest), DAC sectors
and SDG targets that map to themes, dates from 2015 to 2030, budgets in six currencies,
English titles and descriptions built from a few hundred activity phrases, places and
target groups (a tenth in Spanish or French). Each activity also carries what real
publishers write and the registry does not keep — other identifiers, contact details,
policy markers, default flow, aid and tied-status codes, planned disbursements and
transactions — shaped like the activities of the real MAEC file in
shared/standards/iati/examples (3.9 KB per activity there, 4 KB here). With --dense only the
elements the registry reads are written (about 1.3 KB per activity), the worst case for
MB/s. The same seed gives the same file.
"""

import argparse
import random
from xml.sax.saxutils import escape

COUNTRIES = [
    "NG", "GH", "NP", "TH", "MD", "PH", "BD", "KE", "MX", "RO", "KH", "UA", "IN", "PK", "VN",
    "ID", "MM", "LA", "ET", "UG", "TZ", "SN", "ML", "NE", "CI", "BJ", "TG", "CM", "CD", "ZA",
    "MZ", "ZW", "MW", "EG", "MA", "TN", "LB", "JO", "IQ", "AF", "LK", "MN", "KG", "TJ", "UZ",
    "AL", "BA", "RS", "BG", "GE", "AM", "AZ", "BR", "CO", "PE", "BO", "GT", "HN", "SV", "HT",
]
VERBS = ["mobile", "community", "district", "national", "cross-border", "school-based",
         "online", "peer-led", "rapid", "long-term", "specialised", "family-centred"]
SERVICES = [
    "legal clinics", "safe houses", "trauma counselling", "hotlines", "vocational training",
    "reintegration grants", "screening interviews", "referral networks", "radio dramas",
    "street theatre", "recruitment agency audits", "labour inspections", "case databases",
    "witness protection", "judicial training", "police investigation workshops",
    "cash transfers", "savings groups", "school re-enrolment", "family tracing",
    "medical screening", "repatriation escorts", "helplines", "supply chain audits",
    "life-skills lessons", "community watch groups", "shelter beds", "compensation claims",
    "prevalence surveys", "online advert monitoring", "victim identification",
    "pre-departure orientation", "migrant resource centres", "apprenticeships",
]
GROUPS = [
    "adolescent girls", "domestic workers", "migrant fishermen", "brick kiln families",
    "street children", "returnees", "garment workers", "young mothers", "farm workers",
    "construction labourers", "refugee women", "boys at risk", "sex workers",
    "seafood processors", "care workers", "orphans", "stateless youth", "migrant miners",
]
PLACES = ["north", "south", "east", "west", "capital", "border", "coastal", "highland",
          "delta", "lake", "mining", "port", "valley", "island", "central", "rural"]
SPANISH = ["Cooperación técnica para la protección de niñas y mujeres",
           "Asistencia jurídica a víctimas de trata", "Prevención de la explotación laboral"]
FRENCH = ["Protection des enfants contre la traite", "Appui aux survivantes de la traite",
          "Prévention du travail forcé"]
CURRENCIES = ["USD", "USD", "USD", "EUR", "EUR", "GBP", "CHF", "JPY", "SEK"]
THEMED_SECTORS = [("1", "15190"), ("1", "15180"), ("1", "15160"), ("8", "5.2"), ("8", "8.7"),
                  ("8", "16.2")]
OTHER_SECTORS = [("1", "15110"), ("1", "11220"), ("1", "12220"), ("1", "16010"), ("1", "43072")]
ORG_TYPES = ["21", "22", "10", "40", "60", "70"]


def unread_parts(rnd, ref, name, start, end, currency, budget, n, prefix):
    """What publishers write beside the registry's fields, as the MAEC file does."""
    parts = [
        f'<other-identifier ref="{prefix}{n}-INT" type="A1"><owner-org ref="{ref}">'
        f"<narrative>{escape(name)}</narrative></owner-org></other-identifier>",
        "<contact-info type=\"1\"><organisation><narrative>Programme unit</narrative></organisation>"
        "<person-name><narrative>Programme officer</narrative></person-name>"
        "<email>programmes@example.org</email><website>https://www.example.org/projects</website></contact-info>",
        '<activity-scope code="4"/>',
        f'<recipient-region code="{rnd.choice(["289", "489", "589", "619", "789"])}" vocabulary="1"/>',
    ]
    for code in range(1, 9):
        parts.append(f'<policy-marker vocabulary="1" code="{code}" significance="{rnd.randint(0, 2)}"/>')
    parts += [
        '<collaboration-type code="1"/>', '<default-flow-type code="10"/>',
        '<default-finance-type code="110"/>', '<default-aid-type code="C01" vocabulary="1"/>',
        '<default-tied-status code="5"/>',
        f'<planned-disbursement type="1"><period-start iso-date="{start}"/><period-end iso-date="{end}"/>'
        f'<value currency="{currency}" value-date="{start}">{budget // 2}</value></planned-disbursement>',
    ]
    for kind, share in (("2", 1), ("3", 2), ("3", 2)):
        parts.append(
            f'<transaction><transaction-type code="{kind}"/><transaction-date iso-date="{start}"/>'
            f'<value currency="{currency}" value-date="{start}">{budget // share}</value>'
            f"<description><narrative>Instalment of the agreement</narrative></description>"
            f'<provider-org ref="{ref}"><narrative>{escape(name)}</narrative></provider-org>'
            f'<receiver-org ref="XM-BENCH-R{n % 97}"><narrative>Implementing partner</narrative></receiver-org>'
            f'<disbursement-channel code="1"/><flow-type code="10"/><finance-type code="110"/>'
            f'<aid-type code="C01"/><tied-status code="5"/></transaction>'
        )
    parts.append(f'<related-activity ref="{ref}-{prefix}{max(0, n - 1)}" type="3"/>')
    return parts


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("count", type=int)
    parser.add_argument("--prefix", default="B")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--dense", action="store_true")
    args = parser.parse_args()
    rnd = random.Random(args.seed)
    country_weights = [1.0 / (i + 1) ** 0.8 for i in range(len(COUNTRIES))]
    orgs = [(f"XM-BENCH-{i:05d}", f"Organisation {i}", rnd.choice(ORG_TYPES)) for i in range(3000)]
    with open(args.out, "w", encoding="utf-8") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        f.write('<iati-activities version="2.03" generated-datetime="2026-11-23T00:00:00Z">\n')
        for n in range(args.count):
            ref, name, org_type = orgs[int(rnd.paretovariate(1.2) * 7) % len(orgs)]
            funder = orgs[rnd.randrange(len(orgs))]
            implementer = orgs[rnd.randrange(len(orgs))]
            countries = set(rnd.choices(COUNTRIES, weights=country_weights, k=1 + (rnd.random() < 0.25)))
            services = rnd.sample(SERVICES, 3)
            group = rnd.choice(GROUPS)
            place = rnd.choice(PLACES)
            verb = rnd.choice(VERBS)
            language = rnd.random()
            if language < 0.05:
                title = rnd.choice(SPANISH) + f" ({place})"
                lang = "es"
            elif language < 0.1:
                title = rnd.choice(FRENCH) + f" ({place})"
                lang = "fr"
            else:
                title = f"{verb.capitalize()} {services[0]} for {group} in the {place} region"
                lang = "en"
            description = (
                f"The project runs {verb} {services[0]} for {group} in the {place} region "
                f"and supports {services[1]} with local authorities. It also funds {services[2]}, "
                f"trains {rnd.randint(5, 400)} frontline staff and reaches {rnd.randint(50, 20000)} people "
                f"between its start and end. Project code {args.prefix}{n}."
            )
            start_year = rnd.randint(2015, 2027)
            start = f"{start_year}-{rnd.randint(1, 12):02d}-01"
            end = f"{start_year + rnd.randint(1, 4)}-{rnd.randint(1, 12):02d}-28"
            status = rnd.choices(["1", "2", "3", "4"], weights=[1, 5, 2, 2])[0]
            sectors = rnd.sample(THEMED_SECTORS, rnd.randint(1, 2))
            if rnd.random() < 0.3:
                sectors.append(rnd.choice(OTHER_SECTORS))
            currency = rnd.choice(CURRENCIES)
            budget = rnd.randint(10, 5000) * 1000
            parts = [
                f'<iati-activity default-currency="{currency}" xml:lang="{lang}">',
                f"<iati-identifier>{ref}-{args.prefix}{n}</iati-identifier>",
                f'<reporting-org ref="{ref}" type="{org_type}"><narrative>{escape(name)}</narrative></reporting-org>',
                f"<title><narrative>{escape(title)}</narrative></title>",
                f'<description type="1"><narrative>{escape(description)}</narrative></description>',
                f'<participating-org ref="{funder[0]}" role="1" type="{funder[2]}"><narrative>{escape(funder[1])}</narrative></participating-org>',
                f'<participating-org ref="{implementer[0]}" role="4" type="{implementer[2]}"><narrative>{escape(implementer[1])}</narrative></participating-org>',
                f'<activity-status code="{status}"/>',
                f'<activity-date type="1" iso-date="{start}"/>',
                f'<activity-date type="3" iso-date="{end}"/>',
            ]
            for c in sorted(countries):
                parts.append(f'<recipient-country code="{c}" percentage="{100 // len(countries)}"/>')
            for vocabulary, code in sectors:
                parts.append(f'<sector vocabulary="{vocabulary}" code="{code}"/>')
            parts.append(
                f'<budget type="1" status="1"><period-start iso-date="{start}"/><period-end iso-date="{end}"/>'
                f'<value currency="{currency}" value-date="{start}">{budget}</value></budget>'
            )
            if not args.dense:
                parts.extend(unread_parts(rnd, ref, name, start, end, currency, budget, n, args.prefix))
            parts.append("</iati-activity>\n")
            f.write("\n".join(parts))
        f.write("</iati-activities>\n")


if __name__ == "__main__":
    main()
