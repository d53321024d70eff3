require 'json'
GOOGLE_API_KEY = 'AIzaTa0gJy4GWZuAN9KTxQIpsWHHjfUh5ZsN-nd'
