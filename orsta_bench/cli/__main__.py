from orsta_bench.cli.app import main

main()
