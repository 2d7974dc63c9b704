package io.stsdane.relay.server.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import java.time.Instant;

/** The JSON mapping of the admin API and the CLI: instants as ISO-8601 strings. */
public final class AdminJson {

    /** Thread-safe once configured, as Jackson documents. */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new SimpleModule("instants").addSerializer(Instant.class, ToStringSerializer.instance))
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    private AdminJson() {
    }
}
