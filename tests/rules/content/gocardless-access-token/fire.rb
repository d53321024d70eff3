require 'json'
GOCARDLESS_API_KEY = 'live_=YKpW2rp5DV3MCZwTiDXHtAo7FFGa3t_HBAYbkg3'
