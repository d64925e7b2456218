//! A browser for the pages' tests: its own cookie jar, forms posted as
//! `application/x-www-form-urlencoded`, redirects not followed (so that each answer can be
//! checked).

use std::collections::HashMap;

use reqwest::redirect::Policy;

use super::TestApp;

/// A browser: its own cookie jar, no redirects followed.
pub struct Browser {
    client: reqwest::Client,
    base: String,
    pub jar: HashMap<String, String>,
    language: Option<&'static str>,
}

/// An answer as the browser got it.
pub struct Answer {
    pub status: u16,
    pub location: Option<String>,
    pub set_cookies: Vec<String>,
    pub retry_after: Option<String>,
    pub text: String,
}

impl Answer {
    /// The `Set-Cookie` header that sets `name`, if any.
    pub fn cookie(&self, name: &str) -> Option<&String> {
        self.set_cookies
            .iter()
            .find(|c| c.starts_with(&format!("{name}=")))
    }

    /// The CSRF token of the page's forms.
    pub fn csrf(&self) -> String {
        let marker = "name=\"csrf\" value=\"";
        let start = self
            .text
            .find(marker)
            .unwrap_or_else(|| panic!("no CSRF field in:\n{}", self.text))
            + marker.len();
        self.text[start..]
            .split('"')
            .next()
            .expect("value")
            .to_string()
    }

    /// The value of the first field `name` of the page's forms (hidden or typed).
    pub fn field(&self, name: &str) -> String {
        let marker = format!("name=\"{name}\" value=\"");
        let start = self
            .text
            .find(&marker)
            .unwrap_or_else(|| panic!("no {name} field in:\n{}", self.text))
            + marker.len();
        self.text[start..]
            .split('"')
            .next()
            .expect("value")
            .to_string()
    }

    /// The text of the error paragraph beside field `id`.
    pub fn error_beside(&self, id: &str) -> Option<String> {
        let marker = format!("<p class=\"error\" id=\"{id}-error");
        let start = self.text.find(&marker)?;
        let rest = &self.text[start..];
        let open = rest.find('>')? + 1;
        let close = rest.find("</p>")?;
        Some(rest[open..close].to_string())
    }
}

impl Browser {
    pub fn new(app: &TestApp) -> Self {
        Browser {
            client: reqwest::Client::builder()
                .redirect(Policy::none())
                .build()
                .expect("client"),
            base: app.base.clone(),
            jar: HashMap::new(),
            language: None,
        }
    }

    pub fn speaking(app: &TestApp, language: &'static str) -> Self {
        Browser {
            language: Some(language),
            ..Browser::new(app)
        }
    }

    fn cookie_header(&self) -> String {
        self.jar
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub async fn send(&mut self, request: reqwest::RequestBuilder) -> Answer {
        let mut request = request.header("cookie", self.cookie_header());
        if let Some(language) = self.language {
            request = request.header("accept-language", language);
        }
        let response = request.send().await.expect("request sent");
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let status = response.status().as_u16();
        let location = header("location");
        let retry_after = header("retry-after");
        let content_type = header("content-type").unwrap_or_default();
        let set_cookies: Vec<String> = response
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_string))
            .collect();
        for cookie in &set_cookies {
            let pair = cookie.split(';').next().unwrap_or_default();
            let (name, value) = pair.split_once('=').expect("name=value");
            if cookie.to_ascii_lowercase().contains("max-age=0") {
                self.jar.remove(name);
            } else {
                self.jar.insert(name.to_string(), value.to_string());
            }
        }
        let text = response.text().await.expect("body");
        if status == 200 || (400..500).contains(&status) {
            assert!(
                content_type.starts_with("text/html"),
                "a page answers HTML, not {content_type}: {text}"
            );
        }
        Answer {
            status,
            location,
            set_cookies,
            retry_after,
            text,
        }
    }

    pub async fn get(&mut self, path: &str) -> Answer {
        let request = self.client.get(format!("{}{path}", self.base));
        self.send(request).await
    }

    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Answer {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let request = self
            .client
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        self.send(request).await
    }

    /// A `multipart/form-data` form, as a browser sends a file input: the text fields in
    /// order, then the file (`file_field`, its name, its bytes).
    pub async fn post_file(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        file: (&str, &str, Vec<u8>),
    ) -> Answer {
        let mut form = reqwest::multipart::Form::new();
        for (name, value) in fields {
            form = form.text(name.to_string(), value.to_string());
        }
        let (field, file_name, bytes) = file;
        let part = reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_string());
        form = form.part(field.to_string(), part);
        let request = self
            .client
            .post(format!("{}{path}", self.base))
            .multipart(form);
        self.send(request).await
    }

    /// A download (not a page): status, content type, `Cache-Control` and body.
    pub async fn download(&mut self, path: &str) -> (u16, String, String, String) {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .send()
            .await
            .expect("request sent");
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string()
        };
        let (content_type, cache) = (header("content-type"), header("cache-control"));
        let status = response.status().as_u16();
        (
            status,
            content_type,
            cache,
            response.text().await.expect("body"),
        )
    }

    /// Opens the sign-in page and signs in with it.
    pub async fn sign_in(&mut self, email: &str, password: &str) -> Answer {
        let form = self.get("/login").await;
        assert_eq!(form.status, 200, "{}", form.text);
        let csrf = form.csrf();
        self.post(
            "/login",
            &[("email", email), ("password", password), ("csrf", &csrf)],
        )
        .await
    }
}
