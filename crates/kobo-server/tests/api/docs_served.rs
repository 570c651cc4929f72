//! The contract as served, with no key: `GET /api/v1/openapi.json` is the
//! generated document, and `GET /docs` is a Swagger UI page that loads nothing
//! from outside kobo (no CDN).

use reqwest::StatusCode;

use crate::helpers::spawn_app;

#[tokio::test]
async fn the_served_document_is_the_generated_one() {
    let app = spawn_app().await;
    for path in ["/api/v1/openapi.json", "/api/v1/openapi.json/"] {
        let resp = app
            .client
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(resp.headers()["content-type"], "application/json");
        let text = resp.text().await.unwrap();
        assert_eq!(text, kobo_server::openapi::pretty_json());
        let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(doc["openapi"], "3.1.0");
    }
}

/// The `src="…"`/`href="…"` targets of an HTML page.
fn links(html: &str) -> Vec<String> {
    ["src=\"", "href=\""]
        .iter()
        .flat_map(|attr| html.split(attr).skip(1))
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_string)
        .collect()
}

#[tokio::test]
async fn the_docs_page_loads_only_files_kobo_serves() {
    let app = spawn_app().await;
    let get = |path: String| {
        let url = format!("{}{path}", app.base);
        let client = app.client.clone();
        async move {
            let resp = client.get(&url).send().await.unwrap();
            let status = resp.status();
            let content_type = resp.headers()["content-type"].to_str().unwrap().to_string();
            (status, content_type, resp.text().await.unwrap())
        }
    };
    let (status, content_type, html) = get("/docs".into()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(content_type.starts_with("text/html"), "{content_type}");
    assert!(html.contains("<base href=\"/docs/\">"), "{html}");
    let files = links(&html);
    assert!(
        files.iter().any(|f| f.contains("swagger-ui-bundle.js")),
        "{files:?}"
    );
    for file in &files {
        if file == "/docs/" {
            continue;
        }
        assert!(
            !file.contains("://") && !file.starts_with("//"),
            "the page loads {file} from outside kobo"
        );
        let (status, _, text) = get(format!("/docs/{}", file.trim_start_matches("./"))).await;
        assert_eq!(status, StatusCode::OK, "{file}");
        for cdn in ["unpkg.com", "jsdelivr", "cdnjs", "googleapis", "cloudflare"] {
            assert!(!text.contains(cdn), "{file} mentions {cdn}");
        }
    }
    let (_, _, init) = get("/docs/swagger-initializer.js".into()).await;
    assert!(init.contains("\"/api/v1/openapi.json\""), "{init}");
    // The bundle's default validator badge would call validator.swagger.io.
    assert!(init.contains("\"validatorUrl\": \"none\""), "{init}");
    let (status, _, body) = get("/docs/no-such-file.js".into()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("route_not_found"), "{body}");
}
