require 'json'
SCW_SECRET_KEY = '197a5d8c-67e8-da49-dae6-bf567f214757'
