from digests.cli import main

# Guarded: worker processes (digests.ingest.workers) import the main module again.
if __name__ == "__main__":
    main()
