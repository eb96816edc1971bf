"""What the DAG files need beyond scheduling: dbt (Cosmos) configuration and callbacks."""
