"""Market history: Binance archive/REST downloads into a Parquet cache, readers of every kline source we
have (cache, published archives, recorded CSVs), data-quality reports, and the training data set."""
