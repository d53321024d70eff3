require 'json'
FRESHDESK_API_KEY = '5imA6U6Li6lm9qTDA2sm'
