require 'json'
TRAVIS_API_TOKEN = 'lcZA16TTGioJOD-_kXig8o'
