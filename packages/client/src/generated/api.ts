// Made from openapi.json beside it by `pnpm client:generate`; do not edit.

export interface paths {
    "/api/v1/otp/send": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Send a code */
        post: operations["sendCode"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/otp/resend": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Send a new code in place of a pending one */
        post: operations["resendCode"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/otp/verify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Verify a code, once
         * @description A code that expired, was used or was never sent answers OTP_EXPIRED alike.
         */
        post: operations["verifyCode"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/otp/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Sign in with the proof of a verified code; creates the user on first sign-in */
        post: operations["login"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/refresh": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Trade a refresh token for a new pair; the old one is spent
         * @description Using a spent refresh token again ends its whole session.
         */
        post: operations["refreshTokens"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/logout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * End this session (local) or every session of the user (global)
         * @description The access token is refused by every service from the moment this answers.
         */
        post: operations["logout"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/users/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The signed-in user */
        get: operations["getMe"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Change the signed-in user’s names */
        patch: operations["updateMe"];
        trace?: never;
    };
    "/api/v1/users/me/phone": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Attach a phone proved by a verify_phone code */
        post: operations["attachPhone"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/users/me/email/verification": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Mail a link that confirms an email address (24 hours) */
        post: operations["requestEmailVerification"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/users/email/verify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Confirm an email address with the mailed link, once */
        post: operations["confirmEmail"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/dashboard/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Users, codes and sessions at a glance */
        get: operations["getDashboardMetrics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/dashboard/series": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Codes, new users and sessions over time: per hour of the last 24 hours, or per day of the last 30
         * @description Cached per range for as long as the metrics are.
         */
        get: operations["getDashboardSeries"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Users, newest first, by cursor; searched and filtered */
        get: operations["listUsers"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/users/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One user */
        get: operations["getUser"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/users/{id}/ban": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Ban a user: their sessions end and they get no more codes; audited */
        post: operations["banUser"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/users/{id}/unban": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Lift a ban; audited */
        post: operations["unbanUser"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/audit-log": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** What admins did, newest first, by cursor */
        get: operations["listAuditLog"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/cache/invalidate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Drop cached answers on every instance, by key prefix ("metrics", "series?", "users?", "users/<id>"); audited */
        post: operations["invalidateCache"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: never;
    responses: {
        /** @description Bad Request: INVALID_PHONE, PHONE_COUNTRY_NOT_ALLOWED, PHONE_TYPE_NOT_ALLOWED, INVALID_EMAIL, VALIDATION_ERROR, INVALID_BODY */
        InvalidPhoneOrPhoneCountryNotAllowedOrPhoneTypeNotAllowedOrInvalidEmailOrValidationErrorOrInvalidBody: {
            headers: {
                "x-request-id": components["headers"]["RequestId"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "statusCode": 400,
                 *       "code": "INVALID_PHONE",
                 *       "error": "Bad Request",
                 *       "message": "The phone number is not valid"
                 *     }
                 */
                "application/json": {
                    /** @enum {integer} */
                    statusCode: 400;
                    /**
                     * @description Stable: match on this
                     * @enum {string}
                     */
                    code: "INVALID_PHONE" | "PHONE_COUNTRY_NOT_ALLOWED" | "PHONE_TYPE_NOT_ALLOWED" | "INVALID_EMAIL" | "VALIDATION_ERROR" | "INVALID_BODY";
                    /** @description The HTTP reason phrase */
                    error: string;
                    /** @description For people: wording may change */
                    message: string;
                };
            };
        };
        /** @description Forbidden: DESTINATION_BLOCKED */
        DestinationBlocked: {
            headers: {
                "x-request-id": components["headers"]["RequestId"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "statusCode": 403,
                 *       "code": "DESTINATION_BLOCKED",
                 *       "error": "Forbidden",
                 *       "message": "Codes cannot be sent to this destination"
                 *     }
                 */
                "application/json": {
                    /** @enum {integer} */
                    statusCode: 403;
                    /**
                     * @description Stable: match on this
                     * @enum {string}
                     */
                    code: "DESTINATION_BLOCKED";
                    /** @description The HTTP reason phrase */
                    error: string;
                    /** @description For people: wording may change */
                    message: string;
                };
            };
        };
        /** @description Payload Too Large: PAYLOAD_TOO_LARGE */
        PayloadTooLarge: {
            headers: {
                "x-request-id": components["headers"]["RequestId"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "statusCode": 413,
                 *       "code": "PAYLOAD_TOO_LARGE",
                 *       "error": "Payload Too Large",
                 *       "message": "The request body is too large"
                 *     }
                 */
                "application/json": {
                    /** @enum {integer} */
                    statusCode: 413;
                    /**
                     * @description Stable: match on this
                     * @enum {string}
                     */
                    code: "PAYLOAD_TOO_LARGE";
                    /** @description The HTTP reason phrase */
                    error: string;
                    /** @description For people: wording may change */
                    message: string;
                };
            };
        };
        /** @description Unsupported Media Type: UNSUPPORTED_MEDIA_TYPE */
        UnsupportedMediaType: {
            headers: {
                "x-request-id": components["headers"]["RequestId"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "statusCode": 415,
                 *       "code": "UNSUPPORTED_MEDIA_TYPE",
                 *       "error": "Unsupported Media Type",
                 *       "message": "Send the request body as application/json"
                 *     }
                 */
                "application/json": {
                    /** @enum {integer} */
                    statusCode: 415;
                    /**
                     * @description Stable: match on this
                     * @enum {string}
                     */
                    code: "UNSUPPORTED_MEDIA_TYPE";
                    /** @description The HTTP reason phrase */
                    error: string;
                    /** @description For people: wording may change */
                    message: string;
                };
            };
        };
        /** @description Too Many Requests: OTP_SEND_COOLDOWN, OTP_SEND_LIMIT, RATE_LIMITED */
        OtpSendCooldownOrOtpSendLimitOrRateLimited: {
            headers: {
                "x-request-id": components["headers"]["RequestId"];
                "retry-after": components["headers"]["RetryAfter"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "statusCode": 429,
                 *       "code": "OTP_SEND_COOLDOWN",
                 *       "error": "Too Many Requests",
                 *       "message": "Wait before asking for another code",
                 *       "retryAfter": 60
                 *     }
                 */
                "application/json": {
                    /** @enum {integer} */
                    statusCode: 429;
                    /**
                     * @description Stable: match on this
                     * @enum {string}
                     */
                    code: "OTP_SEND_COOLDOWN" | "OTP_SEND_LIMIT" | "RATE_LIMITED";
                    /** @description The HTTP reason phrase */
                    error: string;
                    /** @description For people: wording may change */
                    message: string;
                    /** @description Seconds to wait before trying again (also the Retry-After header) */
                    retryAfter: number;
                };
            };
        };
        /** @description Internal Server Error: INTERNAL_ERROR */
        InternalError: {
            headers: {
                "x-request-id": components["headers"]["RequestId"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "statusCode": 500,
                 *       "code": "INTERNAL_ERROR",
                 *       "error": "Internal Server Error",
                 *       "message": "Internal Server Error"
                 *     }
                 */
                "application/json": {
                    /** @enum {integer} */
                    statusCode: 500;
                    /**
                     * @description Stable: match on this
                     * @enum {string}
                     */
                    code: "INTERNAL_ERROR";
                    /** @description The HTTP reason phrase */
                    error: string;
                    /** @description For people: wording may change */
                    message: string;
                };
            };
        };
        /** @description Bad Gateway: DELIVERY_FAILED */
        DeliveryFailed: {
            headers: {
                "x-request-id": components["headers"]["RequestId"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "statusCode": 502,
                 *       "code": "DELIVERY_FAILED",
                 *       "error": "Bad Gateway",
                 *       "message": "The code could not be delivered"
                 *     }
                 */
                "application/json": {
                    /** @enum {integer} */
                    statusCode: 502;
                    /**
                     * @description Stable: match on this
                     * @enum {string}
                     */
                    code: "DELIVERY_FAILED";
                    /** @description The HTTP reason phrase */
                    error: string;
                    /** @description For people: wording may change */
                    message: string;
                };
            };
        };
        /** @description Service Unavailable: SERVICE_UNAVAILABLE, UPSTREAM_UNAVAILABLE */
        ServiceUnavailableOrUpstreamUnavailable: {
            headers: {
                "x-request-id": components["headers"]["RequestId"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "statusCode": 503,
                 *       "code": "SERVICE_UNAVAILABLE",
                 *       "error": "Service Unavailable",
                 *       "message": "The service is temporarily unavailable"
                 *     }
                 */
                "application/json": {
                    /** @enum {integer} */
                    statusCode: 503;
                    /**
                     * @description Stable: match on this
                     * @enum {string}
                     */
                    code: "SERVICE_UNAVAILABLE" | "UPSTREAM_UNAVAILABLE";
                    /** @description The HTTP reason phrase */
                    error: string;
                    /** @description For people: wording may change */
                    message: string;
                };
            };
        };
        /** @description Gateway Timeout: UPSTREAM_TIMEOUT */
        UpstreamTimeout: {
            headers: {
                "x-request-id": components["headers"]["RequestId"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "statusCode": 504,
                 *       "code": "UPSTREAM_TIMEOUT",
                 *       "error": "Gateway Timeout",
                 *       "message": "… gave no answer (it timed out or its connection broke); the request may or may not have been carried out"
                 *     }
                 */
                "application/json": {
                    /** @enum {integer} */
                    statusCode: 504;
                    /**
                     * @description Stable: match on this
                     * @enum {string}
                     */
                    code: "UPSTREAM_TIMEOUT";
                    /** @description The HTTP reason phrase */
                    error: string;
                    /** @description For people: wording may change */
                    message: string;
                };
            };
        };
        /** @description Bad Request: VALIDATION_ERROR, INVALID_BODY */
        ValidationErrorOrInvalidBody: {
            headers: {
                "x-request-id": components["headers"]["RequestId"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "statusCode": 400,
                 *       "code": "VALIDATION_ERROR",
                 *       "error": "Bad Request",
                 *       "message": "The request is not valid: …"
                 *     }
                 */
                "application/json": {
                    /** @enum {integer} */
                    statusCode: 400;
                    /**
                     * @description Stable: match on this
                     * @enum {string}
                     */
                    code: "VALIDATION_ERROR" | "INVALID_BODY";
                    /** @description The HTTP reason phrase */
                    error: string;
                    /** @description For people: wording may change */
                    message: string;
                };
            };
        };
        /** @description Too Many Requests: RATE_LIMITED */
        RateLimited: {
            headers: {
                "x-request-id": components["headers"]["RequestId"];
                "retry-after": components["headers"]["RetryAfter"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "statusCode": 429,
                 *       "code": "RATE_LIMITED",
                 *       "error": "Too Many Requests",
                 *       "message": "Too many requests from this address; try again shortly",
                 *       "retryAfter": 60
                 *     }
                 */
                "application/json": {
                    /** @enum {integer} */
                    statusCode: 429;
                    /**
                     * @description Stable: match on this
                     * @enum {string}
                     */
                    code: "RATE_LIMITED";
                    /** @description The HTTP reason phrase */
                    error: string;
                    /** @description For people: wording may change */
                    message: string;
                    /** @description Seconds to wait before trying again (also the Retry-After header) */
                    retryAfter: number;
                };
            };
        };
        /** @description Unauthorized: TOKEN_MISSING, TOKEN_INVALID, TOKEN_EXPIRED, TOKEN_REVOKED */
        TokenMissingOrTokenInvalidOrTokenExpiredOrTokenRevoked: {
            headers: {
                "x-request-id": components["headers"]["RequestId"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "statusCode": 401,
                 *       "code": "TOKEN_MISSING",
                 *       "error": "Unauthorized",
                 *       "message": "A Bearer token is required"
                 *     }
                 */
                "application/json": {
                    /** @enum {integer} */
                    statusCode: 401;
                    /**
                     * @description Stable: match on this
                     * @enum {string}
                     */
                    code: "TOKEN_MISSING" | "TOKEN_INVALID" | "TOKEN_EXPIRED" | "TOKEN_REVOKED";
                    /** @description The HTTP reason phrase */
                    error: string;
                    /** @description For people: wording may change */
                    message: string;
                };
            };
        };
        /** @description Conflict: EMAIL_TAKEN */
        EmailTaken: {
            headers: {
                "x-request-id": components["headers"]["RequestId"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "statusCode": 409,
                 *       "code": "EMAIL_TAKEN",
                 *       "error": "Conflict",
                 *       "message": "This email address belongs to another account"
                 *     }
                 */
                "application/json": {
                    /** @enum {integer} */
                    statusCode: 409;
                    /**
                     * @description Stable: match on this
                     * @enum {string}
                     */
                    code: "EMAIL_TAKEN";
                    /** @description The HTTP reason phrase */
                    error: string;
                    /** @description For people: wording may change */
                    message: string;
                };
            };
        };
        /** @description Forbidden: FORBIDDEN */
        Forbidden: {
            headers: {
                "x-request-id": components["headers"]["RequestId"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "statusCode": 403,
                 *       "code": "FORBIDDEN",
                 *       "error": "Forbidden",
                 *       "message": "This needs an admin"
                 *     }
                 */
                "application/json": {
                    /** @enum {integer} */
                    statusCode: 403;
                    /**
                     * @description Stable: match on this
                     * @enum {string}
                     */
                    code: "FORBIDDEN";
                    /** @description The HTTP reason phrase */
                    error: string;
                    /** @description For people: wording may change */
                    message: string;
                };
            };
        };
        /** @description Service Unavailable: UPSTREAM_UNAVAILABLE, SERVICE_UNAVAILABLE */
        UpstreamUnavailableOrServiceUnavailable: {
            headers: {
                "x-request-id": components["headers"]["RequestId"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "statusCode": 503,
                 *       "code": "UPSTREAM_UNAVAILABLE",
                 *       "error": "Service Unavailable",
                 *       "message": "… is unavailable; try again shortly"
                 *     }
                 */
                "application/json": {
                    /** @enum {integer} */
                    statusCode: 503;
                    /**
                     * @description Stable: match on this
                     * @enum {string}
                     */
                    code: "UPSTREAM_UNAVAILABLE" | "SERVICE_UNAVAILABLE";
                    /** @description The HTTP reason phrase */
                    error: string;
                    /** @description For people: wording may change */
                    message: string;
                };
            };
        };
        /** @description Bad Request: VALIDATION_ERROR */
        ValidationError: {
            headers: {
                "x-request-id": components["headers"]["RequestId"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "statusCode": 400,
                 *       "code": "VALIDATION_ERROR",
                 *       "error": "Bad Request",
                 *       "message": "The request is not valid: …"
                 *     }
                 */
                "application/json": {
                    /** @enum {integer} */
                    statusCode: 400;
                    /**
                     * @description Stable: match on this
                     * @enum {string}
                     */
                    code: "VALIDATION_ERROR";
                    /** @description The HTTP reason phrase */
                    error: string;
                    /** @description For people: wording may change */
                    message: string;
                };
            };
        };
        /** @description Not Found: USER_NOT_FOUND */
        UserNotFound: {
            headers: {
                "x-request-id": components["headers"]["RequestId"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "statusCode": 404,
                 *       "code": "USER_NOT_FOUND",
                 *       "error": "Not Found",
                 *       "message": "No such user"
                 *     }
                 */
                "application/json": {
                    /** @enum {integer} */
                    statusCode: 404;
                    /**
                     * @description Stable: match on this
                     * @enum {string}
                     */
                    code: "USER_NOT_FOUND";
                    /** @description The HTTP reason phrase */
                    error: string;
                    /** @description For people: wording may change */
                    message: string;
                };
            };
        };
    };
    parameters: never;
    requestBodies: never;
    headers: {
        /** @description The id of this request in the logs: the one sent, else a new one */
        RequestId: string;
        /** @description Seconds to wait before trying again */
        RetryAfter: number;
    };
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    sendCode: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "channel": "sms",
                 *       "to": "+1 555 123 4567",
                 *       "purpose": "login"
                 *     }
                 */
                "application/json": {
                    /** @description Delivery channel */
                    channel: "sms" | "email";
                    /** @description Phone number in any common form, or one bare email address */
                    to: string;
                    /** @description What the code is for; a code verifies only the purpose it was sent for */
                    purpose: "login" | "signup" | "verify_phone" | "verify_email";
                    /**
                     * @description Live or demo user
                     * @default live
                     */
                    userType?: "live" | "demo";
                };
            };
        };
        responses: {
            /** @description The code is on its way */
            202: {
                headers: {
                    "x-request-id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": true,
                     *       "expiresIn": 600,
                     *       "resendAfter": 60
                     *     }
                     */
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        /** @description Seconds the code stays valid */
                        expiresIn: number;
                        /** @description Seconds before another code may be sent */
                        resendAfter: number;
                    };
                };
            };
            400: components["responses"]["InvalidPhoneOrPhoneCountryNotAllowedOrPhoneTypeNotAllowedOrInvalidEmailOrValidationErrorOrInvalidBody"];
            403: components["responses"]["DestinationBlocked"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["OtpSendCooldownOrOtpSendLimitOrRateLimited"];
            500: components["responses"]["InternalError"];
            502: components["responses"]["DeliveryFailed"];
            503: components["responses"]["ServiceUnavailableOrUpstreamUnavailable"];
            504: components["responses"]["UpstreamTimeout"];
        };
    };
    resendCode: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "channel": "sms",
                 *       "to": "+1 555 123 4567",
                 *       "purpose": "login"
                 *     }
                 */
                "application/json": {
                    /** @description Delivery channel */
                    channel: "sms" | "email";
                    /** @description Phone number in any common form, or one bare email address */
                    to: string;
                    /** @description What the code is for; a code verifies only the purpose it was sent for */
                    purpose: "login" | "signup" | "verify_phone" | "verify_email";
                    /**
                     * @description Live or demo user
                     * @default live
                     */
                    userType?: "live" | "demo";
                };
            };
        };
        responses: {
            /** @description The code is on its way */
            202: {
                headers: {
                    "x-request-id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": true,
                     *       "expiresIn": 600,
                     *       "resendAfter": 60
                     *     }
                     */
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        /** @description Seconds the code stays valid */
                        expiresIn: number;
                        /** @description Seconds before another code may be sent */
                        resendAfter: number;
                    };
                };
            };
            400: components["responses"]["InvalidPhoneOrPhoneCountryNotAllowedOrPhoneTypeNotAllowedOrInvalidEmailOrValidationErrorOrInvalidBody"];
            403: components["responses"]["DestinationBlocked"];
            /** @description Not Found: OTP_NOT_FOUND */
            404: {
                headers: {
                    "x-request-id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 404,
                     *       "code": "OTP_NOT_FOUND",
                     *       "error": "Not Found",
                     *       "message": "No code is pending for this destination"
                     *     }
                     */
                    "application/json": {
                        /** @enum {integer} */
                        statusCode: 404;
                        /**
                         * @description Stable: match on this
                         * @enum {string}
                         */
                        code: "OTP_NOT_FOUND";
                        /** @description The HTTP reason phrase */
                        error: string;
                        /** @description For people: wording may change */
                        message: string;
                    };
                };
            };
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["OtpSendCooldownOrOtpSendLimitOrRateLimited"];
            500: components["responses"]["InternalError"];
            502: components["responses"]["DeliveryFailed"];
            503: components["responses"]["ServiceUnavailableOrUpstreamUnavailable"];
            504: components["responses"]["UpstreamTimeout"];
        };
    };
    verifyCode: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "channel": "sms",
                 *       "to": "+15551234567",
                 *       "purpose": "login",
                 *       "code": "123456"
                 *     }
                 */
                "application/json": {
                    /** @description Delivery channel */
                    channel: "sms" | "email";
                    /** @description Phone number in any common form, or one bare email address */
                    to: string;
                    /** @description What the code is for; a code verifies only the purpose it was sent for */
                    purpose: "login" | "signup" | "verify_phone" | "verify_email";
                    /**
                     * @description Live or demo user
                     * @default live
                     */
                    userType?: "live" | "demo";
                    /** @description The digits received: OTP_LENGTH of them (6 unless configured) */
                    code: string;
                };
            };
        };
        responses: {
            /** @description The code was right; it cannot be used again */
            200: {
                headers: {
                    "x-request-id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": true,
                     *       "verified": true,
                     *       "proof": "eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl",
                     *       "proofExpiresIn": 300
                     *     }
                     */
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                        /** @enum {boolean} */
                        verified: true;
                        /** @description Single-use otp_proof JWT: sign in with it at POST /api/v1/auth/otp/login */
                        proof: string;
                        /** @description Seconds the proof stays valid */
                        proofExpiresIn: number;
                    };
                };
            };
            /** @description Bad Request: INVALID_PHONE, PHONE_COUNTRY_NOT_ALLOWED, PHONE_TYPE_NOT_ALLOWED, INVALID_EMAIL, OTP_INVALID, VALIDATION_ERROR, INVALID_BODY */
            400: {
                headers: {
                    "x-request-id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 400,
                     *       "code": "INVALID_PHONE",
                     *       "error": "Bad Request",
                     *       "message": "The phone number is not valid"
                     *     }
                     */
                    "application/json": {
                        /** @enum {integer} */
                        statusCode: 400;
                        /**
                         * @description Stable: match on this
                         * @enum {string}
                         */
                        code: "INVALID_PHONE" | "PHONE_COUNTRY_NOT_ALLOWED" | "PHONE_TYPE_NOT_ALLOWED" | "INVALID_EMAIL" | "OTP_INVALID" | "VALIDATION_ERROR" | "INVALID_BODY";
                        /** @description The HTTP reason phrase */
                        error: string;
                        /** @description For people: wording may change */
                        message: string;
                        /** @description With OTP_INVALID: wrong codes left before the code is locked */
                        attemptsLeft?: number;
                    };
                };
            };
            /** @description Gone: OTP_EXPIRED */
            410: {
                headers: {
                    "x-request-id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 410,
                     *       "code": "OTP_EXPIRED",
                     *       "error": "Gone",
                     *       "message": "The code has expired or was already used"
                     *     }
                     */
                    "application/json": {
                        /** @enum {integer} */
                        statusCode: 410;
                        /**
                         * @description Stable: match on this
                         * @enum {string}
                         */
                        code: "OTP_EXPIRED";
                        /** @description The HTTP reason phrase */
                        error: string;
                        /** @description For people: wording may change */
                        message: string;
                    };
                };
            };
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            /** @description Too Many Requests: OTP_TOO_MANY_ATTEMPTS, RATE_LIMITED */
            429: {
                headers: {
                    "x-request-id": components["headers"]["RequestId"];
                    "retry-after": components["headers"]["RetryAfter"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 429,
                     *       "code": "OTP_TOO_MANY_ATTEMPTS",
                     *       "error": "Too Many Requests",
                     *       "message": "Too many wrong codes; try again later",
                     *       "retryAfter": 60
                     *     }
                     */
                    "application/json": {
                        /** @enum {integer} */
                        statusCode: 429;
                        /**
                         * @description Stable: match on this
                         * @enum {string}
                         */
                        code: "OTP_TOO_MANY_ATTEMPTS" | "RATE_LIMITED";
                        /** @description The HTTP reason phrase */
                        error: string;
                        /** @description For people: wording may change */
                        message: string;
                        /** @description Seconds to wait before trying again (also the Retry-After header) */
                        retryAfter: number;
                    };
                };
            };
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailableOrUpstreamUnavailable"];
            504: components["responses"]["UpstreamTimeout"];
        };
    };
    login: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description The proof otp-service gave for a verified code */
                    proof: string;
                };
            };
        };
        responses: {
            /** @description Signed in */
            200: {
                headers: {
                    "x-request-id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "accessToken": "eyJhbGciOiJIUzI1NiJ9.e30.YWNjZXNz",
                     *       "refreshToken": "eyJhbGciOiJIUzI1NiJ9.e30.cmVmcmVzaA",
                     *       "tokenType": "Bearer",
                     *       "expiresIn": 900,
                     *       "user": {
                     *         "id": "0b6f1f0e-3c1a-4e43-9d0c-5b8f6a2f4c11",
                     *         "phone": "+15551234567",
                     *         "phoneVerified": true,
                     *         "email": null,
                     *         "emailVerified": false,
                     *         "firstName": "Ada",
                     *         "lastName": null,
                     *         "userType": "live",
                     *         "role": "user",
                     *         "status": "active",
                     *         "createdAt": "2026-01-01T12:00:00.000Z",
                     *         "lastLoginAt": "2026-01-02T08:30:00.000Z"
                     *       }
                     *     }
                     */
                    "application/json": {
                        /** @description Send as `Authorization: Bearer …` */
                        accessToken: string;
                        /** @description Single use: each refresh gives a new one */
                        refreshToken: string;
                        /** @enum {string} */
                        tokenType: "Bearer";
                        /** @description Seconds the access token is valid */
                        expiresIn: number;
                        /**
                         * @description A user
                         * @example {
                         *       "id": "0b6f1f0e-3c1a-4e43-9d0c-5b8f6a2f4c11",
                         *       "phone": "+15551234567",
                         *       "phoneVerified": true,
                         *       "email": null,
                         *       "emailVerified": false,
                         *       "firstName": "Ada",
                         *       "lastName": null,
                         *       "userType": "live",
                         *       "role": "user",
                         *       "status": "active",
                         *       "createdAt": "2026-01-01T12:00:00.000Z",
                         *       "lastLoginAt": "2026-01-02T08:30:00.000Z"
                         *     }
                         */
                        user: {
                            /** Format: uuid */
                            id: string;
                            phone: string | null;
                            phoneVerified: boolean;
                            email: string | null;
                            emailVerified: boolean;
                            firstName: string | null;
                            lastName: string | null;
                            userType: "live" | "demo";
                            role: "user" | "admin";
                            status: "active" | "banned";
                            /** Format: date-time */
                            createdAt: string;
                            lastLoginAt: string | null;
                        };
                    };
                };
            };
            400: components["responses"]["ValidationErrorOrInvalidBody"];
            /** @description Unauthorized: PROOF_INVALID */
            401: {
                headers: {
                    "x-request-id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 401,
                     *       "code": "PROOF_INVALID",
                     *       "error": "Unauthorized",
                     *       "message": "The proof is not valid, has expired or was already used"
                     *     }
                     */
                    "application/json": {
                        /** @enum {integer} */
                        statusCode: 401;
                        /**
                         * @description Stable: match on this
                         * @enum {string}
                         */
                        code: "PROOF_INVALID";
                        /** @description The HTTP reason phrase */
                        error: string;
                        /** @description For people: wording may change */
                        message: string;
                    };
                };
            };
            /** @description Forbidden: USER_BANNED */
            403: {
                headers: {
                    "x-request-id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 403,
                     *       "code": "USER_BANNED",
                     *       "error": "Forbidden",
                     *       "message": "This account is banned"
                     *     }
                     */
                    "application/json": {
                        /** @enum {integer} */
                        statusCode: 403;
                        /**
                         * @description Stable: match on this
                         * @enum {string}
                         */
                        code: "USER_BANNED";
                        /** @description The HTTP reason phrase */
                        error: string;
                        /** @description For people: wording may change */
                        message: string;
                    };
                };
            };
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailableOrUpstreamUnavailable"];
            504: components["responses"]["UpstreamTimeout"];
        };
    };
    refreshTokens: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description The latest refresh token of the session */
                    refreshToken: string;
                };
            };
        };
        responses: {
            /** @description A new pair; the refresh token sent is spent */
            200: {
                headers: {
                    "x-request-id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "accessToken": "eyJhbGciOiJIUzI1NiJ9.e30.YWNjZXNz",
                     *       "refreshToken": "eyJhbGciOiJIUzI1NiJ9.e30.cmVmcmVzaA",
                     *       "tokenType": "Bearer",
                     *       "expiresIn": 900
                     *     }
                     */
                    "application/json": {
                        /** @description Send as `Authorization: Bearer …` */
                        accessToken: string;
                        /** @description Single use: each refresh gives a new one */
                        refreshToken: string;
                        /** @enum {string} */
                        tokenType: "Bearer";
                        /** @description Seconds the access token is valid */
                        expiresIn: number;
                    };
                };
            };
            400: components["responses"]["ValidationErrorOrInvalidBody"];
            /** @description Unauthorized: REFRESH_INVALID */
            401: {
                headers: {
                    "x-request-id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 401,
                     *       "code": "REFRESH_INVALID",
                     *       "error": "Unauthorized",
                     *       "message": "The refresh token is not valid, has expired or was already used"
                     *     }
                     */
                    "application/json": {
                        /** @enum {integer} */
                        statusCode: 401;
                        /**
                         * @description Stable: match on this
                         * @enum {string}
                         */
                        code: "REFRESH_INVALID";
                        /** @description The HTTP reason phrase */
                        error: string;
                        /** @description For people: wording may change */
                        message: string;
                    };
                };
            };
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailableOrUpstreamUnavailable"];
            504: components["responses"]["UpstreamTimeout"];
        };
    };
    logout: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    /** @default local */
                    scope?: "local" | "global";
                };
            };
        };
        responses: {
            /** @description Logged out */
            204: {
                headers: {
                    "x-request-id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["ValidationErrorOrInvalidBody"];
            401: components["responses"]["TokenMissingOrTokenInvalidOrTokenExpiredOrTokenRevoked"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailableOrUpstreamUnavailable"];
            504: components["responses"]["UpstreamTimeout"];
        };
    };
    getMe: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A user */
            200: {
                headers: {
                    "x-request-id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "0b6f1f0e-3c1a-4e43-9d0c-5b8f6a2f4c11",
                     *       "phone": "+15551234567",
                     *       "phoneVerified": true,
                     *       "email": null,
                     *       "emailVerified": false,
                     *       "firstName": "Ada",
                     *       "lastName": null,
                     *       "userType": "live",
                     *       "role": "user",
                     *       "status": "active",
                     *       "createdAt": "2026-01-01T12:00:00.000Z",
                     *       "lastLoginAt": "2026-01-02T08:30:00.000Z"
                     *     }
                     */
                    "application/json": {
                        /** Format: uuid */
                        id: string;
                        phone: string | null;
                        phoneVerified: boolean;
                        email: string | null;
                        emailVerified: boolean;
                        firstName: string | null;
                        lastName: string | null;
                        userType: "live" | "demo";
                        role: "user" | "admin";
                        status: "active" | "banned";
                        /** Format: date-time */
                        createdAt: string;
                        lastLoginAt: string | null;
                    };
                };
            };
            401: components["responses"]["TokenMissingOrTokenInvalidOrTokenExpiredOrTokenRevoked"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailableOrUpstreamUnavailable"];
            504: components["responses"]["UpstreamTimeout"];
        };
    };
    updateMe: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    firstName?: string;
                    lastName?: string;
                };
            };
        };
        responses: {
            /** @description A user */
            200: {
                headers: {
                    "x-request-id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "0b6f1f0e-3c1a-4e43-9d0c-5b8f6a2f4c11",
                     *       "phone": "+15551234567",
                     *       "phoneVerified": true,
                     *       "email": null,
                     *       "emailVerified": false,
                     *       "firstName": "Ada",
                     *       "lastName": null,
                     *       "userType": "live",
                     *       "role": "user",
                     *       "status": "active",
                     *       "createdAt": "2026-01-01T12:00:00.000Z",
                     *       "lastLoginAt": "2026-01-02T08:30:00.000Z"
                     *     }
                     */
                    "application/json": {
                        /** Format: uuid */
                        id: string;
                        phone: string | null;
                        phoneVerified: boolean;
                        email: string | null;
                        emailVerified: boolean;
                        firstName: string | null;
                        lastName: string | null;
                        userType: "live" | "demo";
                        role: "user" | "admin";
                        status: "active" | "banned";
                        /** Format: date-time */
                        createdAt: string;
                        lastLoginAt: string | null;
                    };
                };
            };
            400: components["responses"]["ValidationErrorOrInvalidBody"];
            401: components["responses"]["TokenMissingOrTokenInvalidOrTokenExpiredOrTokenRevoked"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailableOrUpstreamUnavailable"];
            504: components["responses"]["UpstreamTimeout"];
        };
    };
    attachPhone: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description The proof otp-service gave for a verified verify_phone code */
                    proof: string;
                };
            };
        };
        responses: {
            /** @description A user */
            200: {
                headers: {
                    "x-request-id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "0b6f1f0e-3c1a-4e43-9d0c-5b8f6a2f4c11",
                     *       "phone": "+15551234567",
                     *       "phoneVerified": true,
                     *       "email": null,
                     *       "emailVerified": false,
                     *       "firstName": "Ada",
                     *       "lastName": null,
                     *       "userType": "live",
                     *       "role": "user",
                     *       "status": "active",
                     *       "createdAt": "2026-01-01T12:00:00.000Z",
                     *       "lastLoginAt": "2026-01-02T08:30:00.000Z"
                     *     }
                     */
                    "application/json": {
                        /** Format: uuid */
                        id: string;
                        phone: string | null;
                        phoneVerified: boolean;
                        email: string | null;
                        emailVerified: boolean;
                        firstName: string | null;
                        lastName: string | null;
                        userType: "live" | "demo";
                        role: "user" | "admin";
                        status: "active" | "banned";
                        /** Format: date-time */
                        createdAt: string;
                        lastLoginAt: string | null;
                    };
                };
            };
            400: components["responses"]["ValidationErrorOrInvalidBody"];
            /** @description Unauthorized: PROOF_INVALID, TOKEN_MISSING, TOKEN_INVALID, TOKEN_EXPIRED, TOKEN_REVOKED */
            401: {
                headers: {
                    "x-request-id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 401,
                     *       "code": "PROOF_INVALID",
                     *       "error": "Unauthorized",
                     *       "message": "The proof is not valid, has expired or was already used"
                     *     }
                     */
                    "application/json": {
                        /** @enum {integer} */
                        statusCode: 401;
                        /**
                         * @description Stable: match on this
                         * @enum {string}
                         */
                        code: "PROOF_INVALID" | "TOKEN_MISSING" | "TOKEN_INVALID" | "TOKEN_EXPIRED" | "TOKEN_REVOKED";
                        /** @description The HTTP reason phrase */
                        error: string;
                        /** @description For people: wording may change */
                        message: string;
                    };
                };
            };
            /** @description Conflict: PHONE_TAKEN */
            409: {
                headers: {
                    "x-request-id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 409,
                     *       "code": "PHONE_TAKEN",
                     *       "error": "Conflict",
                     *       "message": "This phone number belongs to another account"
                     *     }
                     */
                    "application/json": {
                        /** @enum {integer} */
                        statusCode: 409;
                        /**
                         * @description Stable: match on this
                         * @enum {string}
                         */
                        code: "PHONE_TAKEN";
                        /** @description The HTTP reason phrase */
                        error: string;
                        /** @description For people: wording may change */
                        message: string;
                    };
                };
            };
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailableOrUpstreamUnavailable"];
            504: components["responses"]["UpstreamTimeout"];
        };
    };
    requestEmailVerification: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description One bare email address */
                    email: string;
                };
            };
        };
        responses: {
            /** @description Mailed */
            202: {
                headers: {
                    "x-request-id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Bad Request: INVALID_EMAIL, VALIDATION_ERROR, INVALID_BODY */
            400: {
                headers: {
                    "x-request-id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 400,
                     *       "code": "INVALID_EMAIL",
                     *       "error": "Bad Request",
                     *       "message": "The email address is not valid: give a bare address such as name@example.com"
                     *     }
                     */
                    "application/json": {
                        /** @enum {integer} */
                        statusCode: 400;
                        /**
                         * @description Stable: match on this
                         * @enum {string}
                         */
                        code: "INVALID_EMAIL" | "VALIDATION_ERROR" | "INVALID_BODY";
                        /** @description The HTTP reason phrase */
                        error: string;
                        /** @description For people: wording may change */
                        message: string;
                    };
                };
            };
            401: components["responses"]["TokenMissingOrTokenInvalidOrTokenExpiredOrTokenRevoked"];
            409: components["responses"]["EmailTaken"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            /** @description Too Many Requests: EMAIL_LINK_LIMIT, RATE_LIMITED */
            429: {
                headers: {
                    "x-request-id": components["headers"]["RequestId"];
                    "retry-after": components["headers"]["RetryAfter"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 429,
                     *       "code": "EMAIL_LINK_LIMIT",
                     *       "error": "Too Many Requests",
                     *       "message": "Too many verification links asked for; try again later",
                     *       "retryAfter": 60
                     *     }
                     */
                    "application/json": {
                        /** @enum {integer} */
                        statusCode: 429;
                        /**
                         * @description Stable: match on this
                         * @enum {string}
                         */
                        code: "EMAIL_LINK_LIMIT" | "RATE_LIMITED";
                        /** @description The HTTP reason phrase */
                        error: string;
                        /** @description For people: wording may change */
                        message: string;
                        /** @description Seconds to wait before trying again (also the Retry-After header) */
                        retryAfter: number;
                    };
                };
            };
            500: components["responses"]["InternalError"];
            /** @description Bad Gateway: DELIVERY_FAILED */
            502: {
                headers: {
                    "x-request-id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 502,
                     *       "code": "DELIVERY_FAILED",
                     *       "error": "Bad Gateway",
                     *       "message": "The message could not be delivered"
                     *     }
                     */
                    "application/json": {
                        /** @enum {integer} */
                        statusCode: 502;
                        /**
                         * @description Stable: match on this
                         * @enum {string}
                         */
                        code: "DELIVERY_FAILED";
                        /** @description The HTTP reason phrase */
                        error: string;
                        /** @description For people: wording may change */
                        message: string;
                    };
                };
            };
            503: components["responses"]["ServiceUnavailableOrUpstreamUnavailable"];
            504: components["responses"]["UpstreamTimeout"];
        };
    };
    confirmEmail: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description The token of the mailed link */
                    token: string;
                };
            };
        };
        responses: {
            /** @description The address is the user’s, verified */
            200: {
                headers: {
                    "x-request-id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        verified: true;
                    };
                };
            };
            /** @description Bad Request: LINK_EXPIRED, LINK_INVALID, VALIDATION_ERROR, INVALID_BODY */
            400: {
                headers: {
                    "x-request-id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 400,
                     *       "code": "LINK_EXPIRED",
                     *       "error": "Bad Request",
                     *       "message": "The link has expired; ask for a new one"
                     *     }
                     */
                    "application/json": {
                        /** @enum {integer} */
                        statusCode: 400;
                        /**
                         * @description Stable: match on this
                         * @enum {string}
                         */
                        code: "LINK_EXPIRED" | "LINK_INVALID" | "VALIDATION_ERROR" | "INVALID_BODY";
                        /** @description The HTTP reason phrase */
                        error: string;
                        /** @description For people: wording may change */
                        message: string;
                    };
                };
            };
            409: components["responses"]["EmailTaken"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailableOrUpstreamUnavailable"];
            504: components["responses"]["UpstreamTimeout"];
        };
    };
    getDashboardMetrics: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The figures of the dashboard */
            200: {
                headers: {
                    /** @description From the cache, loaded now, or the last answer served while an upstream is down */
                    "x-cache"?: "HIT" | "MISS" | "STALE";
                    "x-request-id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        users: {
                            total: number;
                            live: number;
                            demo: number;
                            banned: number;
                            newLast24h: number;
                        };
                        /** @description Codes sent, verified, wrong, locked and expired: last 24 hours and in total */
                        otp: {
                            sent: {
                                last24h: number;
                                total: number;
                            };
                            verified: {
                                last24h: number;
                                total: number;
                            };
                            failed: {
                                last24h: number;
                                total: number;
                            };
                            locked: {
                                last24h: number;
                                total: number;
                            };
                            expired: {
                                last24h: number;
                                total: number;
                            };
                        };
                        sessions: {
                            active: number;
                            logoutsLast24h: number;
                        };
                        /**
                         * Format: date-time
                         * @description When the figures were gathered
                         */
                        generatedAt: string;
                    };
                };
            };
            401: components["responses"]["TokenMissingOrTokenInvalidOrTokenExpiredOrTokenRevoked"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["UpstreamUnavailableOrServiceUnavailable"];
            504: components["responses"]["UpstreamTimeout"];
        };
    };
    getDashboardSeries: {
        parameters: {
            query?: {
                /** @description 24h: the last 24 hours, one point per hour; 30d: the last 30 days, one point per day (UTC) */
                range?: "24h" | "30d";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Codes, new users and sessions per hour of the last 24 hours or per day of the last 30 (UTC), the current interval last */
            200: {
                headers: {
                    /** @description From the cache, loaded now, or the last answer served while an upstream is down */
                    "x-cache"?: "HIT" | "MISS" | "STALE";
                    "x-request-id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "range": "24h",
                     *       "interval": "hour",
                     *       "points": [
                     *         {
                     *           "start": "2026-11-22T07:00:00.000Z",
                     *           "otp": {
                     *             "sent": 42,
                     *             "verified": 37,
                     *             "failed": 6,
                     *             "locked": 0,
                     *             "expired": 3
                     *           },
                     *           "users": {
                     *             "new": 5
                     *           },
                     *           "sessions": {
                     *             "signIns": 37,
                     *             "logouts": 11
                     *           }
                     *         },
                     *         {
                     *           "start": "2026-11-22T08:00:00.000Z",
                     *           "otp": {
                     *             "sent": 18,
                     *             "verified": 15,
                     *             "failed": 2,
                     *             "locked": 1,
                     *             "expired": 1
                     *           },
                     *           "users": {
                     *             "new": 2
                     *           },
                     *           "sessions": {
                     *             "signIns": 15,
                     *             "logouts": 4
                     *           }
                     *         }
                     *       ],
                     *       "generatedAt": "2026-11-22T08:12:31.000Z"
                     *     }
                     */
                    "application/json": {
                        /**
                         * @description 24h: the last 24 hours, one point per hour; 30d: the last 30 days, one point per day (UTC)
                         * @default 24h
                         */
                        range: "24h" | "30d";
                        interval: "hour" | "day";
                        points: {
                            /**
                             * Format: date-time
                             * @description Where the interval starts
                             */
                            start: string;
                            /** @description Codes sent, verified, wrong, locked and expired */
                            otp: {
                                sent: number;
                                verified: number;
                                failed: number;
                                locked: number;
                                expired: number;
                            };
                            users: {
                                /** @description Users created */
                                new: number;
                            };
                            sessions: {
                                /** @description Sign-ins that opened a session */
                                signIns: number;
                                /** @description Logouts (one each, local or global) */
                                logouts: number;
                            };
                        }[];
                        /**
                         * Format: date-time
                         * @description When the figures were gathered
                         */
                        generatedAt: string;
                    };
                };
            };
            400: components["responses"]["ValidationError"];
            401: components["responses"]["TokenMissingOrTokenInvalidOrTokenExpiredOrTokenRevoked"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["UpstreamUnavailableOrServiceUnavailable"];
            504: components["responses"]["UpstreamTimeout"];
        };
    };
    listUsers: {
        parameters: {
            query?: {
                limit?: number;
                cursor?: string;
                /** @description Part of a phone, email or name */
                q?: string;
                userType?: "live" | "demo";
                status?: "active" | "banned";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of users, newest first */
            200: {
                headers: {
                    /** @description From the cache, loaded now, or the last answer served while an upstream is down */
                    "x-cache"?: "HIT" | "MISS" | "STALE";
                    "x-request-id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: {
                            /** Format: uuid */
                            id: string;
                            phone: string | null;
                            phoneVerified: boolean;
                            email: string | null;
                            emailVerified: boolean;
                            firstName: string | null;
                            lastName: string | null;
                            userType: "live" | "demo";
                            role: "user" | "admin";
                            status: "active" | "banned";
                            /** Format: date-time */
                            createdAt: string;
                            lastLoginAt: string | null;
                        }[];
                        nextCursor: string | null;
                        /** @description Users matching the filters, across all pages */
                        total: number;
                    };
                };
            };
            400: components["responses"]["ValidationError"];
            401: components["responses"]["TokenMissingOrTokenInvalidOrTokenExpiredOrTokenRevoked"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["UpstreamUnavailableOrServiceUnavailable"];
            504: components["responses"]["UpstreamTimeout"];
        };
    };
    getUser: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A user id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A user */
            200: {
                headers: {
                    /** @description From the cache, loaded now, or the last answer served while an upstream is down */
                    "x-cache"?: "HIT" | "MISS" | "STALE";
                    "x-request-id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "0b6f1f0e-3c1a-4e43-9d0c-5b8f6a2f4c11",
                     *       "phone": "+15551234567",
                     *       "phoneVerified": true,
                     *       "email": null,
                     *       "emailVerified": false,
                     *       "firstName": "Ada",
                     *       "lastName": null,
                     *       "userType": "live",
                     *       "role": "user",
                     *       "status": "active",
                     *       "createdAt": "2026-01-01T12:00:00.000Z",
                     *       "lastLoginAt": "2026-01-02T08:30:00.000Z"
                     *     }
                     */
                    "application/json": {
                        /** Format: uuid */
                        id: string;
                        phone: string | null;
                        phoneVerified: boolean;
                        email: string | null;
                        emailVerified: boolean;
                        firstName: string | null;
                        lastName: string | null;
                        userType: "live" | "demo";
                        role: "user" | "admin";
                        status: "active" | "banned";
                        /** Format: date-time */
                        createdAt: string;
                        lastLoginAt: string | null;
                    };
                };
            };
            400: components["responses"]["ValidationError"];
            401: components["responses"]["TokenMissingOrTokenInvalidOrTokenExpiredOrTokenRevoked"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["UserNotFound"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["UpstreamUnavailableOrServiceUnavailable"];
            504: components["responses"]["UpstreamTimeout"];
        };
    };
    banUser: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A user id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description Why, for the audit log */
                    reason: string;
                };
            };
        };
        responses: {
            /** @description A user */
            200: {
                headers: {
                    "x-request-id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "0b6f1f0e-3c1a-4e43-9d0c-5b8f6a2f4c11",
                     *       "phone": "+15551234567",
                     *       "phoneVerified": true,
                     *       "email": null,
                     *       "emailVerified": false,
                     *       "firstName": "Ada",
                     *       "lastName": null,
                     *       "userType": "live",
                     *       "role": "user",
                     *       "status": "active",
                     *       "createdAt": "2026-01-01T12:00:00.000Z",
                     *       "lastLoginAt": "2026-01-02T08:30:00.000Z"
                     *     }
                     */
                    "application/json": {
                        /** Format: uuid */
                        id: string;
                        phone: string | null;
                        phoneVerified: boolean;
                        email: string | null;
                        emailVerified: boolean;
                        firstName: string | null;
                        lastName: string | null;
                        userType: "live" | "demo";
                        role: "user" | "admin";
                        status: "active" | "banned";
                        /** Format: date-time */
                        createdAt: string;
                        lastLoginAt: string | null;
                    };
                };
            };
            400: components["responses"]["ValidationErrorOrInvalidBody"];
            401: components["responses"]["TokenMissingOrTokenInvalidOrTokenExpiredOrTokenRevoked"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["UserNotFound"];
            /** @description Conflict: CANNOT_BAN_SELF */
            409: {
                headers: {
                    "x-request-id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 409,
                     *       "code": "CANNOT_BAN_SELF",
                     *       "error": "Conflict",
                     *       "message": "An admin cannot ban themselves"
                     *     }
                     */
                    "application/json": {
                        /** @enum {integer} */
                        statusCode: 409;
                        /**
                         * @description Stable: match on this
                         * @enum {string}
                         */
                        code: "CANNOT_BAN_SELF";
                        /** @description The HTTP reason phrase */
                        error: string;
                        /** @description For people: wording may change */
                        message: string;
                    };
                };
            };
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["UpstreamUnavailableOrServiceUnavailable"];
            504: components["responses"]["UpstreamTimeout"];
        };
    };
    unbanUser: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A user id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    /** @description Why, for the audit log */
                    reason?: string;
                };
            };
        };
        responses: {
            /** @description A user */
            200: {
                headers: {
                    "x-request-id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "0b6f1f0e-3c1a-4e43-9d0c-5b8f6a2f4c11",
                     *       "phone": "+15551234567",
                     *       "phoneVerified": true,
                     *       "email": null,
                     *       "emailVerified": false,
                     *       "firstName": "Ada",
                     *       "lastName": null,
                     *       "userType": "live",
                     *       "role": "user",
                     *       "status": "active",
                     *       "createdAt": "2026-01-01T12:00:00.000Z",
                     *       "lastLoginAt": "2026-01-02T08:30:00.000Z"
                     *     }
                     */
                    "application/json": {
                        /** Format: uuid */
                        id: string;
                        phone: string | null;
                        phoneVerified: boolean;
                        email: string | null;
                        emailVerified: boolean;
                        firstName: string | null;
                        lastName: string | null;
                        userType: "live" | "demo";
                        role: "user" | "admin";
                        status: "active" | "banned";
                        /** Format: date-time */
                        createdAt: string;
                        lastLoginAt: string | null;
                    };
                };
            };
            400: components["responses"]["ValidationErrorOrInvalidBody"];
            401: components["responses"]["TokenMissingOrTokenInvalidOrTokenExpiredOrTokenRevoked"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["UserNotFound"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["UpstreamUnavailableOrServiceUnavailable"];
            504: components["responses"]["UpstreamTimeout"];
        };
    };
    listAuditLog: {
        parameters: {
            query?: {
                limit?: number;
                /** @description The nextCursor of the page before */
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of the audit log, newest first */
            200: {
                headers: {
                    "x-request-id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: {
                            id: string;
                            /** Format: uuid */
                            adminId: string;
                            /** @description user.ban, user.unban or cache.invalidate */
                            action: string;
                            targetType: string;
                            targetId: string;
                            /** @description The reason given, and the outcome: done or unconfirmed */
                            details: {
                                [key: string]: unknown;
                            };
                            /** Format: date-time */
                            createdAt: string;
                        }[];
                        nextCursor: string | null;
                    };
                };
            };
            400: components["responses"]["ValidationError"];
            401: components["responses"]["TokenMissingOrTokenInvalidOrTokenExpiredOrTokenRevoked"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["UpstreamUnavailableOrServiceUnavailable"];
            504: components["responses"]["UpstreamTimeout"];
        };
    };
    invalidateCache: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    /** @description Drops the entries whose key starts with it; none drops all */
                    prefix?: string;
                };
            };
        };
        responses: {
            /** @description Dropped */
            204: {
                headers: {
                    "x-request-id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["ValidationErrorOrInvalidBody"];
            401: components["responses"]["TokenMissingOrTokenInvalidOrTokenExpiredOrTokenRevoked"];
            403: components["responses"]["Forbidden"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["UpstreamUnavailableOrServiceUnavailable"];
            504: components["responses"]["UpstreamTimeout"];
        };
    };
}
