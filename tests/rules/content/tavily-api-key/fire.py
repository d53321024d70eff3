import os

TIMEOUT = 30
TAVILY_API_KEY = "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"
