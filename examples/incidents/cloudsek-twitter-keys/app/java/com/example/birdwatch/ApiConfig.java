package com.example.birdwatch;

/** Build-time configuration of the Birdwatch client, compiled into the app. */
public final class ApiConfig {
    private ApiConfig() {}

    public static final String API_BASE = "https://api.twitter.com/2";
    public static final String DEFAULTS = "twitter_bearer_token=AAAAAAAAAAAAAAAAAAAAAA0sVDPxsHXsJY0HrK3v3kwk7ZfNuIYrCs5cQloXLruArmpAU4y1YGIvPEItaCrox6YqiIGGDJk9c651yV6dqViTbyv4";
    public static final int TIMEOUT_SECONDS = 20;
}
