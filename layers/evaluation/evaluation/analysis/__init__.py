"""What `analyze:basic` and `analyze:deep` measure on a transcript, against its scenario.

Each gives `{"score": 0..1, "metrics": {name: number}}`, the analysis job's result:

    basic   words, sentences, keywordCoverage (the scenario's expected keywords found),
            refused (1 when the model declined), score = coverage, 0 when refused
    deep    rougeL (F1 of the longest common token subsequence with the expected answer),
            promptOverlap, lexicalDiversity (type/token), repetition (repeated bigrams),
            hedgesPerSentence, readingEase (Flesch); score = the mean of the quality ones
"""
