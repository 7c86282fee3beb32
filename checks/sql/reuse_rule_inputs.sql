-- Per rule, the fingerprint of the inputs its recorded result was evaluated on.
SELECT rule_id, fingerprint FROM audit.rule_results
