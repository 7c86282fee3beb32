"""Which defects recur and where they come from: the findings trend per rule over recent nights, and its chart."""
