//! Text normalisation shared by the gazetteer, the extractor and the scraper.
