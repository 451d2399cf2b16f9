"""The HTML report and the terminal digest of a run or sweep."""
