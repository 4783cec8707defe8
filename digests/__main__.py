from digests.cli import main

main()
