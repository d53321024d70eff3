import os

TIMEOUT = 30
GITLAB_PAT = "glpat-bzoxawp1OjJhCg7BY5StdZWHfnXq-9OQ1wQQ.01.100wjcrbt"
