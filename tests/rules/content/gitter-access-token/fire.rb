require 'json'
GITTER_TOKEN = 'ex_sygde4jzymkmyhfik0evtwg3kjt-v37jizge5'
