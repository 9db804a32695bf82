"""Results: aggregation of samples.jsonl into results.json with bootstrap intervals, the compare
regression gate, and the leaderboard. numpy is the only dependency beyond the core."""
