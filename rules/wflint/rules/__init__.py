"""wflint's rules, one module per rule, grouped by family (docs/architecture.md). The registry is
``wflint.rule.RULE_MODULES``; rules import only the IR, the analysis and ``wflint.rule``."""
