"""Business rules, one module per capability. Services own their transactions."""
