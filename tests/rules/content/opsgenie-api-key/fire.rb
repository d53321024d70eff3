require 'json'
OPSGENIE_API_KEY = '470056cc-bc6d-bf3a-a78b-596318eb17ba'
