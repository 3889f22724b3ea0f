"""wflint's rules, one module per rule, grouped by family (DESIGN §7). The registry is
``wflint.rule.RULE_MODULES``; rules import only the IR, the analysis and ``wflint.rule``."""
