"""`multihop`: FM2DS-like multimodal multihop QA over fictional document pools (issue 8)."""
