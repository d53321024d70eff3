require 'json'
RAPIDAPI_KEY = 'QtNpJ69zocQNt67z-rm8p5U_5G5WfWCZFnVAtTh72szyeN0Hw-'
