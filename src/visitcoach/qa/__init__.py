"""The answer engine behind `visitcoach ask` and the Ask tab.

An answer is built in four typed steps, each a module here:

1. `understand`: what the question is about (language, jurisdiction, case, topic concepts from
   `knowledge/concepts.yaml`, a time, place or figures it mentions);
2. `sections`: the sections of the pack that govern it, ranked as whole sections (heading,
   citation and body) with the concept vocabulary as a strong signal, inside the jurisdiction asked;
3. `compute`: the facts the deterministic engines can compute (may I visit at 21:30 in the UK, how
   many collectors, a role's discount authority, an affordable instalment);
4. `compose`: the offline answer, direct answer first, then cited supporting points, then "see also".

`conversation` turns a follow-up ("and in the UK?", "那如果是在他单位呢？") into a full question;
`types` holds the answer records that `visitcoach.ask` and `visitcoach.llm.ask` both use.
"""
