//! The one error type every handler answers with: which service the
//! request was for decides the body's shape, so a handler (or the fault
//! injector, or the authentication guard) says what went wrong and this
//! module says it the way that service does. No other module of the
//! emulator is imported here, so every one can use it.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// Which service a request is for, from its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Api {
    /// `/kafka/v3/...`, and anything else (Confluent's REST proxy serves it).
    Confluent,
    /// `/provisioning/v1/...`.
    Instaclustr,
    /// `/cluster-management/v2/...`.
    InstaclustrV2,
}

impl Api {
    pub(crate) fn of(path: &str) -> Self {
        if path.starts_with("/provisioning/") {
            Api::Instaclustr
        } else if path.starts_with("/cluster-management/") {
            Api::InstaclustrV2
        } else {
            Api::Confluent
        }
    }

    /// The service's error body with this status (Confluent's `error_code`
    /// is the status; v2's field name is the status's reason).
    pub(crate) fn error(self, status: StatusCode, message: impl Into<String>) -> Response {
        ApiError {
            api: self,
            status,
            code: None,
            field: None,
            message: message.into(),
        }
        .into_response()
    }
}

/// An error answer, in the shape of the service it is for:
///
/// - Confluent: `{"error_code": int, "message": string}`;
/// - Instaclustr v1: `{"status", "message", "errorDetails", "code"}`;
/// - Instaclustr v2: `{"errors": [{"name", "message"}]}`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ApiError {
    pub api: Api,
    pub status: StatusCode,
    /// Confluent's `error_code` (default: the status).
    pub code: Option<i64>,
    /// v2's `name`: the field at fault (default: the status's reason).
    pub field: Option<String>,
    pub message: String,
}

impl ApiError {
    /// A Confluent error with its own `error_code` (`40101`, `50003`).
    pub(crate) fn confluent(status: StatusCode, code: i64, message: impl Into<String>) -> Self {
        Self {
            api: Api::Confluent,
            status,
            code: Some(code),
            field: None,
            message: message.into(),
        }
    }

    /// An Instaclustr v1 error.
    pub(crate) fn instaclustr(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            api: Api::Instaclustr,
            status,
            code: None,
            field: None,
            message: message.into(),
        }
    }

    /// An Instaclustr v2 error about the field `field`.
    pub(crate) fn instaclustr_v2(
        status: StatusCode,
        field: &str,
        message: impl Into<String>,
    ) -> Self {
        Self {
            api: Api::InstaclustrV2,
            status,
            code: None,
            field: Some(field.to_owned()),
            message: message.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status;
        let body = match self.api {
            Api::Confluent => json!({
                "error_code": self.code.unwrap_or(i64::from(status.as_u16())),
                "message": self.message,
            }),
            Api::Instaclustr => json!({
                "status": status.as_u16(),
                "message": self.message,
                "errorDetails": {},
                "code": status.as_u16(),
            }),
            Api::InstaclustrV2 => {
                let name = self
                    .field
                    .unwrap_or_else(|| status.canonical_reason().unwrap_or("error").to_owned());
                json!({"errors": [{"name": name, "message": self.message}]})
            }
        };
        (status, Json(body)).into_response()
    }
}

impl From<ApiError> for Response {
    fn from(e: ApiError) -> Self {
        e.into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn body(r: Response) -> (u16, serde_json::Value) {
        let status = r.status().as_u16();
        let bytes = axum::body::to_bytes(r.into_body(), 1 << 16).await.unwrap();
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    #[tokio::test]
    async fn each_service_gets_its_own_error_shape() {
        let s = StatusCode::NOT_FOUND;
        assert_eq!(
            body(Api::Confluent.error(s, "no such link")).await,
            (404, json!({"error_code": 404, "message": "no such link"}))
        );
        assert_eq!(
            body(
                ApiError::confluent(StatusCode::INTERNAL_SERVER_ERROR, 50003, "m").into_response()
            )
            .await,
            (500, json!({"error_code": 50003, "message": "m"}))
        );
        assert_eq!(
            body(Api::Instaclustr.error(s, "gone")).await,
            (
                404,
                json!({"status": 404, "message": "gone", "errorDetails": {}, "code": 404})
            )
        );
        assert_eq!(
            body(Api::InstaclustrV2.error(s, "gone")).await,
            (
                404,
                json!({"errors": [{"name": "Not Found", "message": "gone"}]})
            )
        );
        assert_eq!(
            body(
                ApiError::instaclustr_v2(StatusCode::BAD_REQUEST, "mirrorId", "bad")
                    .into_response()
            )
            .await,
            (
                400,
                json!({"errors": [{"name": "mirrorId", "message": "bad"}]})
            )
        );
        assert_eq!(Api::of("/provisioning/v1/x"), Api::Instaclustr);
        assert_eq!(Api::of("/cluster-management/v2/x"), Api::InstaclustrV2);
        assert_eq!(Api::of("/kafka/v3/clusters"), Api::Confluent);
        assert_eq!(Api::of("/anything"), Api::Confluent);
    }
}
