"""What the processors read and write: context sources and items, connected accounts,
analytics and learning records, generated content, documents. One DynamoDB table
(the content-jobs stack's JobDataTable), keyed (pk, sk):

    pk                   sk                 what
    SOURCE               <source id>        a context source and its health      (sources)
    SOURCE#<source id>   ITEM#<digest>      a context item, stored once          (context_items)
    ACCOUNT              <account id>       a connected account and its tokens   (accounts)
    ACCOUNT#<account>    POST#<post id>     a post's metrics                     (analytics)
    ORG#<org id>         LEARNING#<acct>    the account's latest learning record (analytics)
    ORG#<org id>         CONTENT#<id>       generated content, where published   (content)
    ORG#<org id>         DOCUMENT#<id>      a processed document's text          (content)
"""
