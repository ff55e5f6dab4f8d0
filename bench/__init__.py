"""The benchmark: a synthetic corpus, the pipeline against bare jieba, at 1x and 10x size."""
