"""What the processors read and write: context sources and items, connected accounts,
analytics and learning records, generated content, documents. One DynamoDB table,
keyed (pk, sk)."""
